//! What happened, said as it happened: a throttled or failing host is never
//! blamed on the profile (once, every 429 storm ended in "the development
//! environment is not in this tenant's environment list; check --dev-env").

mod common;

use common::{ferry_as, request, serve, text};

fn profile_on_a_faulty_host(faults: &str) -> (tempfile::TempDir, common::Served) {
    let dir = tempfile::tempdir().unwrap();
    let host = serve(&dir.path().join("host"), &[]);
    common::use_local_profile(dir.path(), &host.url);
    let (status, body) = request(&host.url, "PUT", "/_ferry/faults", faults);
    assert!(status.contains("200"), "{status} {body}");
    (dir, host)
}

#[test]
fn a_throttled_host_is_said_to_be_busy_not_a_profile_mistake() {
    let (dir, _host) = profile_on_a_faulty_host(r#"{"throttle":{"requests":100,"retry_after":0}}"#);
    let out = ferry_as(dir.path(), "mona", &["pipeline", "list"]);
    assert_eq!(out.status.code(), Some(9), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("busy"), "{}", text(&out));
    assert!(!err.contains("--dev-env"), "{}", text(&out));
}

#[test]
fn a_failing_host_is_said_to_fail_not_a_profile_mistake() {
    let (dir, _host) =
        profile_on_a_faulty_host(r#"{"server_errors":{"requests":100,"status":503}}"#);
    let out = ferry_as(dir.path(), "mona", &["pipeline", "list", "--json"]);
    assert_eq!(out.status.code(), Some(9), "{}", text(&out));
    let err: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["code"], "host", "{err}");
    let message = err["error"]["message"].as_str().unwrap();
    assert!(!message.contains("--dev-env"), "{message}");
}

#[test]
fn an_environment_missing_from_a_list_read_in_full_is_the_profile_s_mistake() {
    let (dir, host) = profile_on_a_faulty_host("{}");
    let out = ferry_as(
        dir.path(),
        "mona",
        &[
            "profile",
            "add",
            "other",
            "--host",
            &host.url,
            "--dev-env",
            "nowhere",
            "--use",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let out = ferry_as(dir.path(), "mona", &["pipeline", "list"]);
    assert_eq!(out.status.code(), Some(7), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--dev-env"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_maker_offered_no_pipeline_is_told_whom_to_ask() {
    // The demo's "lab" is a registered development environment no pipeline deploys from.
    let (dir, host) = profile_on_a_faulty_host("{}");
    let out = ferry_as(
        dir.path(),
        "mona",
        &[
            "profile",
            "add",
            "lab",
            "--host",
            &host.url,
            "--dev-env",
            "lab",
            "--use",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let out = ferry_as(dir.path(), "mona", &["pipeline", "list"]);
    assert!(out.status.success(), "{}", text(&out));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("no pipeline is shared with you for Contoso Lab")
            && said.contains("Ask an admin of the pipelines host"),
        "{}",
        text(&out)
    );
    let out = ferry_as(dir.path(), "mona", &["pipeline", "list", "--json"]);
    let listing: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listing["pipelines"], serde_json::json!([]));
    assert!(
        listing["hint"]
            .as_str()
            .unwrap()
            .contains("share it with you"),
        "{listing}"
    );
    // With pipelines, no hint.
    let out = ferry_as(
        dir.path(),
        "mona",
        &["--profile", "local", "pipeline", "list", "--json"],
    );
    let listing: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(listing.get("hint").is_none(), "{listing}");
}
