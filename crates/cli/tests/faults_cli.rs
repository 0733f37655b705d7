//! The engine's resilience through the real `ferry` binary: a `ferry host
//! serve` process with faults switched on (a 429 storm, a dropped connection
//! that loses the answer of the stage-run create), and `ferry deploy --wait`
//! as the maker Mona. The deployment succeeds and the host holds exactly one
//! stage run.

mod common;

use common::{ferry_as, request, serve, text, SETTINGS};

#[test]
fn a_deployment_survives_a_429_storm_and_a_lost_create_answer() {
    let dir = tempfile::tempdir().unwrap();
    let host = serve(&dir.path().join("host"), &[]);
    let settings = dir.path().join("test.settings.json");
    std::fs::write(&settings, SETTINGS).unwrap();
    for args in [
        &[
            "profile",
            "add",
            "local",
            "--host",
            &host.url,
            "--dev-env",
            "dev",
        ][..],
        &["profile", "use", "local"][..],
    ] {
        let out = ferry_as(dir.path(), "mona", args);
        assert!(out.status.success(), "{args:?}: {}", text(&out));
    }

    // The storm throttles the first requests of the deploy; the create of the
    // run is handled but its answer never arrives.
    let (status, body) = request(
        &host.url,
        "PUT",
        "/_ferry/faults",
        r#"{"throttle":{"requests":3,"retry_after":1},
            "drops":{"requests":1,"after_handling":true,"method":"POST","path":"deploymentstageruns"}}"#,
    );
    assert!(status.contains("200"), "{status} {body}");

    let out = ferry_as(
        dir.path(),
        "mona",
        &[
            "deploy",
            "--solution",
            "ContosoCore",
            "--stage",
            "Deploy to Test",
            "--settings",
            settings.to_str().unwrap(),
            "--wait",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("ContosoCore 1.0.0.4 → Contoso Test: Succeeded"),
        "{}",
        text(&out)
    );

    // Every fault fired, and exactly one stage run exists, made by Mona.
    let (_, state) = request(&host.url, "GET", "/_ferry/faults", "");
    let state: serde_json::Value = serde_json::from_str(&state).unwrap();
    assert_eq!(state["drops"]["requests"], 0, "{state}");
    assert_eq!(state["throttle"]["requests"], 0, "{state}");
    let (_, count) = request(
        &host.url,
        "GET",
        "/api/data/v9.2/deploymentstageruns/$count",
        "",
    );
    assert_eq!(count.trim(), "1", "exactly one stage run");
    let mona = ferry_host::scenario::derived_id("user", "mona@contoso.example");
    let (_, runs) = request(
        &host.url,
        "GET",
        "/api/data/v9.2/deploymentstageruns?$select=_createdby_value,stagerunstatus",
        "",
    );
    assert!(
        runs.contains(&format!(r#""_createdby_value":"{mona}""#)),
        "{runs}"
    );
    assert!(runs.contains(r#""stagerunstatus":200000002"#), "{runs}");
}
