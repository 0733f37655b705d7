//! A host that was not running catches up when it opens again (the Local sandbox between two
//! commands): every step that came due meanwhile runs as of its due time before the first
//! request is served, so a later reader sees the run where a host that never stopped would
//! have it. On a manual clock: the host is stopped, time moves on, the same data dir reopens.

mod common;

use std::time::Duration;

use common::*;
use ferry_host::runs::phase;
use ferry_host::Scenario;
use reqwest::StatusCode;
use serde_json::{json, Value};

const SUCCEEDED: i64 = 200000002;
const DEPLOYING: i64 = 200000010;
const SCHEDULED: i64 = 200000005;
const VALIDATION_SUCCEEDED: i64 = 200000007;

/// Epoch milliseconds as Dataverse time text.
fn text(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// A validated run of ContosoCanvas on the demo's first stage.
async fn validated(h: &TestHost) -> String {
    let run = h
        .create_run(&stage(RELEASE, "Deploy to Test"), "dev", "ContosoCanvas")
        .await;
    assert_eq!(
        h.action("ValidatePackageAsync", &run).await.0,
        StatusCode::NO_CONTENT
    );
    h.wait_for(&run, &[VALIDATION_SUCCEEDED]).await;
    run
}

/// Stops the host and opens its data dir again on the same clock, `away` later.
async fn reopen(h: &mut TestHost, scenario: Scenario, away: Duration) {
    let clock = h.clock().clone();
    h.stop().await;
    clock.advance(away);
    let host = boot_with(h.dir.path(), scenario, 1.0, clock).await;
    assert!(!host.seeded_now());
    h.api = host.api_url();
    h.base = host.base_url().to_string();
    h.host = Some(host);
}

/// The run's phase rows, oldest first: (name, starttime).
async fn phases(h: &TestHost, run: &str) -> Vec<(String, String)> {
    let (s, v) = h
        .get(&format!(
            "deploymentstagerunstatuses?$filter=_deploymentstagerunid_value eq {run}&$orderby=starttime"
        ))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap_or_default().to_string(),
                r["starttime"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deployment_nobody_watched_has_finished_on_time_when_the_host_reopens() {
    let mut h = start_manual(Scenario::demo()).await;
    let run = validated(&h).await;
    let requested = h.clock().now_ms();
    assert_eq!(
        h.action("DeployPackageAsync", &run).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(h.run(&run).await["stagerunstatus"], DEPLOYING);

    // Nobody runs the host for 40 s (a deployment takes 12 s of them at demo pace).
    reopen(&mut h, Scenario::demo(), Duration::from_secs(40)).await;

    // The very first request sees where a host that never stopped would be.
    let done = h.run(&run).await;
    assert_eq!(done["stagerunstatus"], SUCCEEDED, "{done}");
    assert_eq!(done["starttime"], text(requested));
    let finished = requested + phase::IMPORT + phase::PUBLISH;
    assert_eq!(
        done["endtime"],
        text(finished),
        "it ended when its last step was due, not when the host reopened"
    );
    let steps = phases(&h, &run).await;
    let imported = steps
        .iter()
        .find(|(name, _)| name == "Customization Publishing")
        .unwrap_or_else(|| panic!("no publishing row: {steps:?}"));
    assert_eq!(imported.1, text(requested + phase::IMPORT), "{steps:?}");
    // Its completion event carries the time it completed.
    let (_, events) = h.get(&format!("{}/_ferry/events?run={run}", h.base)).await;
    let completed = events["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "OnDeploymentCompleted")
        .cloned()
        .unwrap_or_else(|| panic!("no completion event: {events}"));
    assert_eq!(completed["time"], text(finished), "{completed}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_run_starts_at_its_time_while_no_host_runs() {
    let mut h = start_manual(Scenario::demo()).await;
    let run = validated(&h).await;
    let at = h.clock().now_ms() + 10 * 60_000;
    let (s, b) = h
        .patch(
            &format!("deploymentstageruns({run})"),
            json!({ "scheduledtime": text(at) }),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    h.action("DeployPackageAsync", &run).await;
    assert_eq!(h.run(&run).await["stagerunstatus"], SCHEDULED);

    reopen(&mut h, Scenario::demo(), Duration::from_secs(3600)).await;

    let done = h.run(&run).await;
    assert_eq!(done["stagerunstatus"], SUCCEEDED, "{done}");
    assert_eq!(done["starttime"], text(at), "started at its scheduled time");
    assert_eq!(done["endtime"], text(at + phase::IMPORT + phase::PUBLISH));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_half_way_when_the_host_reopens_goes_on_from_its_own_times() {
    let mut h = start_manual(Scenario::demo()).await;
    let run = validated(&h).await;
    let requested = h.clock().now_ms();
    h.action("DeployPackageAsync", &run).await;

    // Back after 8 s: the import (7 s) is done, publishing (5 s more) is not.
    reopen(&mut h, Scenario::demo(), Duration::from_secs(8)).await;
    let halfway = h.run(&run).await;
    assert_eq!(halfway["stagerunstatus"], DEPLOYING, "{halfway}");
    assert_eq!(halfway["suboperation"], 200000105, "publishing: {halfway}");

    // Publishing ends 12 s after the request, not 5 s after the reopening.
    h.advance(Duration::from_secs(4)).await;
    assert_eq!(h.run(&run).await["stagerunstatus"], SUCCEEDED);
    let done = h.run(&run).await;
    assert_eq!(
        done["endtime"],
        text(requested + phase::IMPORT + phase::PUBLISH)
    );
}

/// One delegated stage whose approver is a person, without gate automation.
fn approval_scenario() -> Scenario {
    Scenario::from_toml(
        r#"
[[users]]
name = "Pat Approver"
upn = "pat@contoso.example"
roles = ["approver"]
[[environments]]
name = "dev"
kind = "development"
solutions = [{ unique_name = "Tool", version = "1.0.0.0", publisher = "c", prefix = "c" }]
[[environments]]
name = "prod"
kind = "target"
[[pipelines]]
name = "Approved"
dev_environments = ["dev"]
stages = [{ name = "Prod", target = "prod", approver = "pat@contoso.example" }]
"#,
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_waiting_for_its_approver_still_waits_when_the_host_reopens() {
    let mut h = start_manual(approval_scenario()).await;
    let run = h
        .create_run(&stage("Approved", "Prod"), "dev", "Tool")
        .await;
    h.action("ValidatePackageAsync", &run).await;
    h.wait_for(&run, &[VALIDATION_SUCCEEDED]).await;
    h.action("DeployPackageAsync", &run).await;
    let before: Value = h.run(&run).await;
    assert_eq!(before["approvalstatus"], 10, "{before}");

    reopen(&mut h, approval_scenario(), Duration::from_secs(24 * 3600)).await;

    let after = h.run(&run).await;
    assert_eq!(after["stagerunstatus"], VALIDATION_SUCCEEDED, "{after}");
    assert_eq!(after["approvalstatus"], 10, "still waiting: {after}");
    assert_eq!(after["modifiedon"], before["modifiedon"], "nothing moved");
}
