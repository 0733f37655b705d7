//! The Local sandbox does not freeze between commands: a deployment left running when
//! `ferry deploy` (without `--wait`) exits is, for the next command, where a real host would
//! have it by then. The sandbox's host runs only inside a Ferry process, so between the two
//! commands no Ferry process runs at all — that absence is what is tested; the next command's
//! sandbox reads its clock 9 s ahead (`FERRY_SANDBOX_CLOCK_AHEAD_MS`) instead of the test
//! waiting 9 s. The host's own tests cover the same with a manual clock
//! (crates/host/tests/catch_up.rs).

mod common;

use common::{text, Sandbox};

/// Pace 2: the import and publishing left after `deploy` returns take about 6 s.
const SPEED: &str = "2";

#[test]
fn a_deployment_goes_on_while_no_ferry_process_runs() {
    let sb = Sandbox::new();
    let started = sb
        .command(&[
            "deploy",
            "--solution",
            "ContosoCanvas",
            "--stage",
            "Deploy to Test",
            "--json",
        ])
        .env("FERRY_SANDBOX_SPEED", SPEED)
        .output()
        .unwrap();
    assert!(started.status.success(), "{}", text(&started));
    let run: serde_json::Value = serde_json::from_slice(&started.stdout).unwrap();
    let id = run["run"]["id"].as_str().unwrap().to_string();
    assert_eq!(run["run"]["terminal"], false, "{run}");

    // Nothing runs now. 9 s later, a host that never stopped has ended the deployment; one
    // read then sees the end: the host caught up before it answered.
    let status = sb
        .command(&["run", "status", &id, "--json"])
        .env("FERRY_SANDBOX_SPEED", SPEED)
        .env("FERRY_SANDBOX_CLOCK_AHEAD_MS", "9000")
        .output()
        .unwrap();
    let seen: serde_json::Value = serde_json::from_slice(&status.stdout)
        .unwrap_or_else(|e| panic!("no JSON ({e}): {}", text(&status)));
    assert_eq!(seen["run"]["status"], 200_000_002, "{}", text(&status));
    assert_eq!(seen["run"]["terminal"], true, "{seen}");
}
