//! The app's way to deploy (a solution page's "Deploy here" to Succeeded, through the engine
//! calls the app makes) costs at most 12 requests besides the reads of the run's status, on
//! the Local sandbox (issue 18 §6). Request counts do not depend on timing: this is not a
//! timed assertion. `cargo bench -p ferry-ops --bench app_path` prints the figures.

#[path = "../benches/support/mod.rs"]
mod support;

use std::time::Duration;

use ferry_dataverse::RequestLog;
use ferry_ops::{Engine, EngineOptions};
use support::app_path::{by_kind, deploy_through_the_app, Recorder};
use support::demo::SETTINGS as TEST_SETTINGS;

fn engine(dir: &std::path::Path) -> (Engine, RequestLog) {
    let log = RequestLog::default();
    let mut o = EngineOptions::new(dir);
    o.sandbox_speed = 50.0;
    o.poll_interval = Duration::from_millis(40);
    o.max_wait = Duration::from_secs(60);
    o.tokens = ferry_ops::TokenStorage::Memory(Default::default());
    o.client.log = Some(log.clone());
    (Engine::open(o).unwrap(), log)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploying_through_the_app_costs_at_most_twelve_requests_besides_status_reads() {
    let dir = tempfile::tempdir().unwrap();
    let (engine, log) = engine(dir.path());
    engine.connect().await.unwrap();
    let walk = deploy_through_the_app(
        &engine,
        &log,
        "ContosoCore",
        "Deploy to Test",
        Some(TEST_SETTINGS),
        &Recorder::default(),
    )
    .await;
    assert_eq!(
        walk.outcome.run.status, 200_000_002,
        "{:?}",
        walk.outcome.run
    );
    let counted: Vec<_> = walk
        .requests
        .iter()
        .filter(|r| !support::app_path::is_poll(r))
        .cloned()
        .collect();
    assert!(
        walk.counted() <= 12,
        "{} requests besides {} status reads, by kind: {:?}",
        walk.counted(),
        walk.polls(),
        by_kind(&counted)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_was_read_before_a_deployment_is_not_planned_with_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let (engine, log) = engine(dir.path());
    engine.connect().await.unwrap();
    // The solution page of ContosoCanvas: UAT cannot take it before Test has it.
    let before = engine
        .plan(&ferry_ops::PlanRequest {
            solution: "ContosoCanvas".into(),
            stage: "Deploy to UAT".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(!before.ready, "{:?}", before.checks);
    let walk = deploy_through_the_app(
        &engine,
        &log,
        "ContosoCanvas",
        "Deploy to Test",
        None,
        &Recorder::default(),
    )
    .await;
    assert_eq!(walk.outcome.run.status, 200_000_002);
    // Within the time reads are reused, but after the run moved on: read again.
    let after = engine
        .plan(&ferry_ops::PlanRequest {
            solution: "ContosoCanvas".into(),
            stage: "Deploy to UAT".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(after.ready, "{:?}", after.checks);
    assert_eq!(Some(&after.version), walk.outcome.run.version.as_ref());
}
