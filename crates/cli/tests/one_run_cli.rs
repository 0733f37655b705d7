//! One deployment, one run — whatever the network does. The host handles
//! `ValidatePackageAsync` or `DeployPackageAsync` and the answer is lost (the
//! host's `drops.after_handling` fault): `ferry deploy` says so and exits 5, and
//! the immediate rerun carries that run on instead of starting another — for a
//! lost deploy, never a second deployment into the target.

mod common;

use common::{ferry_as, request, serve, text, SETTINGS};

fn stage_runs(url: &str) -> serde_json::Value {
    let (_, body) = request(
        url,
        "GET",
        "/api/data/v9.2/deploymentstageruns?$select=stagerunstatus,artifactversion",
        "",
    );
    serde_json::from_str(&body).unwrap()
}

/// How many times the host started a deployment (its business events).
fn deployments_started(url: &str) -> usize {
    let (_, body) = request(url, "GET", "/_ferry/events", "");
    let events: serde_json::Value = serde_json::from_str(&body).unwrap();
    events
        .as_array()
        .or_else(|| events["value"].as_array())
        .map(|a| {
            a.iter()
                .filter(|e| e["name"] == "OnDeploymentStarted")
                .count()
        })
        .unwrap_or(0)
}

fn lose_the_answer_of(action: &str) -> String {
    format!(
        r#"{{"drops":{{"requests":1,"after_handling":true,"method":"POST","path":"{action}"}}}}"#
    )
}

fn deploy_twice_losing(action: &str) {
    let dir = tempfile::tempdir().unwrap();
    let host = serve(&dir.path().join("host"), &[]);
    let settings = dir.path().join("test.settings.json");
    std::fs::write(&settings, SETTINGS).unwrap();
    common::use_local_profile(dir.path(), &host.url);
    let (status, body) = request(
        &host.url,
        "PUT",
        "/_ferry/faults",
        &lose_the_answer_of(action),
    );
    assert!(status.contains("200"), "{status} {body}");

    let deploy = [
        "deploy",
        "--solution",
        "ContosoCore",
        "--stage",
        "Deploy to Test",
        "--settings",
        settings.to_str().unwrap(),
        "--wait",
    ];
    let first = ferry_as(dir.path(), "mona", &deploy);
    assert_eq!(first.status.code(), Some(5), "{}", text(&first));
    let err = String::from_utf8_lossy(&first.stderr);
    assert!(
        err.contains("did not answer") && err.contains("run the same command again"),
        "{}",
        text(&first)
    );

    let again = ferry_as(dir.path(), "mona", &deploy);
    assert!(again.status.success(), "{}", text(&again));
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("Succeeded"),
        "{}",
        text(&again)
    );

    let runs = stage_runs(&host.url);
    let runs = runs["value"].as_array().unwrap();
    assert_eq!(runs.len(), 1, "exactly one stage run: {runs:?}");
    assert_eq!(runs[0]["stagerunstatus"], 200_000_002, "{runs:?}");
    assert_eq!(deployments_started(&host.url), 1, "exactly one import");

    // History holds the one run, succeeded.
    let out = ferry_as(dir.path(), "mona", &["history", "--json"]);
    let history: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let listed = history["runs"]
        .as_array()
        .or_else(|| history.as_array())
        .unwrap();
    assert_eq!(listed.len(), 1, "{history}");
}

#[test]
fn a_lost_validate_answer_is_carried_on_by_the_rerun() {
    deploy_twice_losing("ValidatePackageAsync");
}

#[test]
fn a_lost_deploy_answer_never_deploys_twice() {
    deploy_twice_losing("DeployPackageAsync");
}
