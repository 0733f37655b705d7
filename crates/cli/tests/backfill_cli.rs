//! Steps a run passed while no Ferry process watched it reach its timeline on `ferry run
//! resume`, from the host's log of the run (`deploymentstagerunstatuses`): the real binary
//! against `ferry host serve --auth open`, a deployment started without `--wait` and left
//! to finish on the host alone.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{ferry_as, text};
use serde_json::Value;

fn ferry_json(dir: &Path, args: &[&str]) -> Value {
    let out = ferry_as(dir, "mona", args);
    assert!(out.status.success(), "{args:?}: {}", text(&out));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?} printed no JSON ({e}): {}", text(&out)))
}

/// Waits (reading the host, no fixed sleep) until the run is Succeeded on the host.
fn until_succeeded(url: &str, id: &str) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let (status, body) = common::request(
            url,
            "GET",
            &format!("/api/data/v9.2/deploymentstageruns({id})?$select=stagerunstatus"),
            "",
        );
        assert!(status.contains("200"), "{status}: {body}");
        let run: Value = serde_json::from_str(&body).unwrap();
        match run["stagerunstatus"].as_i64() {
            Some(200_000_002) => return,
            Some(200_000_003 | 200_000_004) => panic!("the run ended otherwise: {body}"),
            _ => {}
        }
        assert!(Instant::now() < deadline, "the run never finished: {body}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn steps_nobody_watched_are_backfilled_on_resume() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    // A slower host, so the deployment's later steps pass after the CLI has gone.
    let host = common::host_serve(&[
        "--speed",
        "5",
        "--auth",
        "open",
        "--data-dir",
        dir.join("host").to_str().unwrap(),
    ]);
    common::use_local_profile(dir, &host.url);
    let settings = dir.join("test.settings.json");
    std::fs::write(&settings, common::SETTINGS).unwrap();

    let started = ferry_json(
        dir,
        &[
            "deploy",
            "--solution",
            "ContosoCore",
            "--stage",
            "Deploy to Test",
            "--settings",
            settings.to_str().unwrap(),
            "--json",
        ],
    );
    let id = started["run"]["id"].as_str().unwrap().to_string();
    assert_eq!(started["run"]["terminal"], false, "{started}");
    let before = ferry_json(dir, &["run", "export", &id, "--format", "json"]);
    let steps = |record: &Value| -> Vec<String> {
        record["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|t| t["step"].as_str().map(str::to_string))
            .collect()
    };
    // The CLI saw the import start; publishing comes after it has gone.
    assert!(
        !steps(&before)
            .iter()
            .any(|s| s == "Customization Publishing"),
        "the CLI saw the publishing itself: {before}"
    );

    until_succeeded(&host.url, &id);
    ferry_json(dir, &["run", "resume", "--json"]);

    let after = ferry_json(dir, &["run", "export", &id, "--format", "json"]);
    let seen = steps(&after);
    assert!(
        seen.iter().any(|s| s == "Importing Solution"),
        "{seen:?}: {after}"
    );
    assert!(
        seen.iter().any(|s| s == "Customization Publishing"),
        "{seen:?}"
    );
    let timeline = after["timeline"].as_array().unwrap();
    assert_eq!(
        timeline.last().unwrap()["statusLabel"],
        "Succeeded",
        "{after}"
    );
    // In time order, each step once.
    let times: Vec<&str> = timeline.iter().map(|t| t["at"].as_str().unwrap()).collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted, "{after}");
    let imports = seen.iter().filter(|s| *s == "Importing Solution").count();
    assert_eq!(imports, 1, "{seen:?}");
}
