//! The engine against a real local host: the Local sandbox profile starts an
//! in-process `ferry-host` (demo tenant) on a free port, in a temp data dir.

use std::sync::Arc;
use std::time::Duration;

use ferry_dataverse::{Client, StaticToken};
use ferry_ops::{
    CancellationToken, DeployRequest, Drift, Engine, EngineOptions, ExportFormat, Gate,
    HistoryFilter, NewProfile, OpsError, PlanRequest, RunEvent, RunEventKind, RunOutcome,
    ValueSource,
};
use serde_json::json;
use tokio::sync::mpsc;

#[path = "../benches/support/mod.rs"]
mod support;

use support::demo::SETTINGS as TEST_SETTINGS;

fn options(dir: &std::path::Path) -> EngineOptions {
    let mut o = EngineOptions::new(dir);
    o.sandbox_speed = 50.0;
    o.poll_interval = Duration::from_millis(40);
    o.max_wait = Duration::from_secs(60);
    // Tokens in memory: a test never reads or writes the user's keyring.
    o.tokens = ferry_ops::TokenStorage::Memory(Default::default());
    o
}

fn engine(dir: &std::path::Path) -> Engine {
    Engine::open(options(dir)).unwrap()
}

fn request(solution: &str, stage: &str, settings: Option<&str>) -> PlanRequest {
    PlanRequest {
        solution: solution.into(),
        stage: stage.into(),
        settings_json: settings.map(str::to_string),
        ..Default::default()
    }
}

/// ContosoCore to Deploy to Test with the test settings, followed to its end.
async fn deploy_core_to_test(e: &Engine) -> RunOutcome {
    e.deploy(
        &DeployRequest {
            plan: request("ContosoCore", "Deploy to Test", Some(TEST_SETTINGS)),
            wait: true,
            ..Default::default()
        },
        &(),
        &CancellationToken::new(),
    )
    .await
    .unwrap()
}

fn kinds(events: &[RunEvent]) -> Vec<RunEventKind> {
    let mut out: Vec<RunEventKind> = Vec::new();
    for e in events {
        if out.last() != Some(&e.kind) {
            out.push(e.kind);
        }
    }
    out
}

fn drain(rx: &mut mpsc::UnboundedReceiver<RunEvent>) -> Vec<RunEvent> {
    let mut out = Vec::new();
    while let Ok(e) = rx.try_recv() {
        out.push(e);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deployment_from_plan_to_matrix() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path());
    assert_eq!(e.profile().display_name, "Local sandbox");

    let names: Vec<String> = e
        .solutions()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.unique_name)
        .collect();
    assert_eq!(
        names,
        [
            "ContosoCanvas",
            "ContosoCore",
            "ContosoPortal",
            "ContosoReports"
        ]
    );

    let pipelines = e.pipelines(Some("contosocore")).await.unwrap();
    let release = pipelines
        .iter()
        .find(|p| p.name == "Contoso Release")
        .unwrap();
    let stage_names: Vec<&str> = release.stages.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        stage_names,
        ["Deploy to Test", "Deploy to UAT", "Deploy to Prod"]
    );
    assert!(release.stages[0].deployability.as_ref().unwrap().deployable);
    assert!(!release.stages[1].deployability.as_ref().unwrap().deployable);

    let plan = e
        .plan(&request(
            "ContosoCore",
            "deploy to test",
            Some(TEST_SETTINGS),
        ))
        .await
        .unwrap();
    assert!(plan.ready, "{:?}", plan.checks);
    assert_eq!(
        (plan.dev_version.as_str(), plan.version.as_str()),
        ("1.0.0.3", "1.0.0.4")
    );
    assert_eq!(plan.environment_variables.len(), 2);
    assert!(plan
        .environment_variables
        .iter()
        .all(|v| v.source == ValueSource::SettingsFile));
    let conn = &plan.connection_references[0];
    assert_eq!(conn.connection_id.as_deref(), Some("test-office365"));
    assert!(
        conn.choices
            .iter()
            .all(|c| c.connector == "shared_office365"),
        "{:?}",
        conn.choices
    );

    let (tx, mut rx) = mpsc::unbounded_channel();
    let outcome = e
        .deploy(
            &DeployRequest {
                plan: request("ContosoCore", "Deploy to Test", Some(TEST_SETTINGS)),
                notes: Some("first release".into()),
                wait: true,
                ..Default::default()
            },
            &tx,
            &CancellationToken::new(),
        )
        .await
        .unwrap();
    assert_eq!(outcome.run.status_label, "Succeeded", "{outcome:?}");
    assert_eq!(outcome.run.version.as_deref(), Some("1.0.0.4"));
    let events = drain(&mut rx);
    let seen = kinds(&events);
    for k in [
        RunEventKind::Requested,
        RunEventKind::Validating,
        RunEventKind::Validated,
        RunEventKind::Succeeded,
    ] {
        assert!(seen.contains(&k), "{k:?} missing from {seen:?}");
    }
    assert_eq!(seen.last(), Some(&RunEventKind::Succeeded));
    let run_id = outcome.run.id.clone();
    assert!(events.iter().all(|ev| ev.run_id == run_id));

    // Every transition is in the cache's timeline, in order, ending in Succeeded.
    let timeline = e.timeline(&run_id).unwrap();
    assert!(timeline.len() >= 4, "{timeline:?}");
    assert_eq!(timeline.last().unwrap().status_label, "Succeeded");

    // History answers from the cache.
    let history = e
        .history(&HistoryFilter {
            text: Some("contoso".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(history.runs.len(), 1);
    assert_eq!(history.runs[0].notes.as_deref(), Some("first release"));
    // A date range: the run is in today's, not in one that ended a year ago.
    let within = |from: &str, before: &str| {
        e.history(&HistoryFilter {
            created_from: Some(from.into()),
            created_before: Some(before.into()),
            ..Default::default()
        })
        .map(|h| h.runs.len())
    };
    assert_eq!(
        within("2000-01-01T00:00:00Z", "2999-01-01T00:00:00Z").unwrap(),
        1
    );
    assert_eq!(
        within("2000-01-01T00:00:00Z", "2001-01-01T00:00:00Z").unwrap(),
        0
    );
    let err = within("yesterday", "2999-01-01T00:00:00Z").unwrap_err();
    assert!(err.to_string().contains("RFC 3339"), "{err}");

    // A window opening on History reads the same in one go; on another page, only the profiles.
    let start = e.start_reads(Some(200)).unwrap();
    assert_eq!(start.profiles, e.profiles().unwrap());
    let first = start
        .history
        .expect("history for a window opening on History");
    assert_eq!(
        first.filter,
        HistoryFilter {
            limit: 200,
            ..Default::default()
        }
    );
    assert_eq!(first.page, e.history(&first.filter).unwrap());
    assert_eq!(first.page.runs.len(), 1);
    assert_eq!(first.choices, e.history_choices().unwrap());
    assert_eq!(e.start_reads(None).unwrap().history, None);

    // The values are remembered as the stage profile; the next version is proposed.
    let again = e
        .plan(&request("ContosoCore", "Deploy to Test", None))
        .await
        .unwrap();
    assert!(again.ready, "{:?}", again.checks);
    assert_eq!(again.version, "1.0.0.5");
    assert_eq!(again.stage_version.as_deref(), Some("1.0.0.4"));
    assert!(again
        .connection_references
        .iter()
        .all(|c| c.source == ValueSource::StageProfile));
    // A version that is not higher is refused locally.
    let low = e
        .plan(&PlanRequest {
            version: Some("1.0.0.4".into()),
            ..request("ContosoCore", "Deploy to Test", None)
        })
        .await
        .unwrap();
    assert!(!low.ready);

    // UAT now promotes 1.0.0.4.
    let pipelines = e.pipelines(Some("ContosoCore")).await.unwrap();
    let uat = &pipelines
        .iter()
        .find(|p| p.name == "Contoso Release")
        .unwrap()
        .stages[1];
    let d = uat.deployability.as_ref().unwrap();
    assert!(d.deployable, "{d:?}");
    assert_eq!(d.version.as_deref(), Some("1.0.0.4"));
    assert_eq!(
        pipelines[0].stages[0]
            .latest_run
            .as_ref()
            .map(|r| r.id.as_str()),
        if pipelines[0].name == "Contoso Release" {
            Some(run_id.as_str())
        } else {
            None
        }
    );

    // The matrix: Test has 1.0.0.4, in sync; UAT nothing.
    let matrix = e.matrix(&CancellationToken::new()).await.unwrap();
    assert!(matrix.online);
    let col = matrix
        .stages
        .iter()
        .position(|s| s.stage_name == "Deploy to Test")
        .unwrap();
    let row = matrix
        .rows
        .iter()
        .find(|r| r.solution == "ContosoCore")
        .unwrap();
    assert_eq!(row.cells[col].version.as_deref(), Some("1.0.0.4"));
    assert_eq!(row.cells[col].installed_version.as_deref(), Some("1.0.0.4"));
    assert_eq!(row.cells[col].drift, Drift::InSync);
    assert!(row.cells[col].deployed_by.is_some(), "{:?}", row.cells[col]);
    let uat_col = matrix
        .stages
        .iter()
        .position(|s| s.stage_name == "Deploy to UAT")
        .unwrap();
    assert_eq!(row.cells[uat_col].drift, Drift::NotDeployed);

    // The run record, both ways.
    let md = e.export_run(&run_id, ExportFormat::Markdown).unwrap();
    assert!(
        md.starts_with("# ContosoCore 1.0.0.4 → Contoso Test"),
        "{md}"
    );
    assert!(
        md.contains("## Timeline") && md.contains("test-office365"),
        "{md}"
    );
    let js: serde_json::Value =
        serde_json::from_str(&e.export_run(&run_id, ExportFormat::Json).unwrap()).unwrap();
    assert_eq!(js["run"]["statusLabel"], "Succeeded");
    assert!(js["timeline"].as_array().unwrap().len() >= 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_validation_failure_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path());
    let outcome = e
        .validate(
            &request("ContosoReports", "Deploy to Test", None),
            &(),
            &CancellationToken::new(),
        )
        .await
        .unwrap();
    assert_eq!(outcome.run.status_label, "Failed", "{outcome:?}");
    let ex = &outcome.explanations;
    assert_eq!(ex[0].id, "missing-dependencies", "{ex:?}");
    assert!(
        ex[0]
            .details
            .iter()
            .any(|d| d.contains("ContosoAnalyticsBase")),
        "{ex:?}"
    );
    let record = e.run_record(&outcome.run.id).unwrap();
    assert_eq!(record.explanations[0].id, "missing-dependencies");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_values_are_refused_before_anything_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path());
    let err = e
        .deploy(
            &DeployRequest {
                plan: request("ContosoCore", "Deploy to Test", None),
                ..Default::default()
            },
            &(),
            &CancellationToken::new(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, OpsError::NotReady { .. }), "{err}");
    assert!(
        err.to_string().contains("cont_sharedoffice365_1a2b3"),
        "{err}"
    );
    assert!(e
        .history(&HistoryFilter::default())
        .unwrap()
        .runs
        .is_empty());

    let bad = TEST_SETTINGS.replace("test-office365", "test-sql");
    let plan = e
        .plan(&request("ContosoCore", "Deploy to Test", Some(&bad)))
        .await
        .unwrap();
    assert!(!plan.ready);
    assert!(
        plan.checks.iter().any(|c| c.message.contains("shared_sql")),
        "{:?}",
        plan.checks
    );
    let err = e
        .plan(&request("ContosoCore", "Deploy to Nowhere", None))
        .await
        .unwrap_err();
    assert!(matches!(err, OpsError::UnknownStage(_)), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_run_can_be_canceled() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path());
    let at = (time::OffsetDateTime::now_utc() + time::Duration::days(1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let outcome = e
        .deploy(
            &DeployRequest {
                plan: request("ContosoCanvas", "Deploy to Test", None),
                scheduled_time: Some(at),
                ..Default::default()
            },
            &tx,
            &CancellationToken::new(),
        )
        .await
        .unwrap();
    assert!(!outcome.run.terminal, "{outcome:?}");
    // Wait until the host shows it scheduled.
    let mut status = e.run_status(&outcome.run.id).await.unwrap();
    for _ in 0..100 {
        if status.run.status_label == "Scheduled" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(30)).await;
        status = e.run_status(&outcome.run.id).await.unwrap();
    }
    assert_eq!(status.run.status_label, "Scheduled");
    assert!(status.run.scheduled_time.is_some());
    let canceled = e.cancel(&outcome.run.id).await.unwrap();
    assert_eq!(canceled.status_label, "Canceled");
    assert!(canceled.terminal);
    assert!(drain(&mut rx)
        .iter()
        .any(|ev| ev.kind == RunEventKind::Requested));
    let timeline = e.timeline(&outcome.run.id).unwrap();
    assert!(
        timeline.iter().any(|t| t.status_label == "Scheduled"),
        "{timeline:?}"
    );
    assert_eq!(timeline.last().unwrap().status_label, "Canceled");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gated_run_waits_for_its_approver() {
    let dir = tempfile::tempdir().unwrap();
    let e = Arc::new(engine(dir.path()));
    let host = e.connect().await.unwrap().host_url;
    let approver = Client::new(&host, Arc::new(StaticToken::new("pat"))).unwrap();
    let settings = TEST_SETTINGS
        .replace("test-office365", "prod-office365")
        .replace(".test.", ".prod.");
    let (tx, mut rx) = mpsc::unbounded_channel();
    let engine = e.clone();
    let deploy = tokio::spawn(async move {
        engine
            .deploy(
                &DeployRequest {
                    plan: request("ContosoCore", "Gated Prod", Some(&settings)),
                    wait: true,
                    ..Default::default()
                },
                &tx,
                &CancellationToken::new(),
            )
            .await
    });
    let mut gates = Vec::new();
    while let Some(ev) = rx.recv().await {
        if ev.kind == RunEventKind::WaitingOnGate {
            let gate = ev.gate.unwrap();
            assert!(ev.since.is_some(), "{ev:?}");
            assert!(ev.message.starts_with("Waiting on"), "{}", ev.message);
            let who = ev.who_can_act.as_deref().unwrap_or_default();
            match gate {
                // The demo's Gated Prod is approved by its owner, Pat.
                Gate::Approval => {
                    assert_eq!(who, "Pat Approver, the stage owner, can approve or reject.")
                }
                _ => assert!(who.contains("pre-deployment step"), "{who}"),
            }
            if gates.last() == Some(&gate) {
                continue;
            }
            gates.push(gate);
            let (action, body) = match gate {
                Gate::Approval => (
                    "UpdateApprovalStatus",
                    json!({"StageRunId": ev.run_id, "ApprovalStatus": 20, "ApprovalComments": "ok"}),
                ),
                Gate::PreDeploymentStep => (
                    "UpdatePreDeploymentStepStatus",
                    json!({"StageRunId": ev.run_id, "PreDeploymentStepStatus": 20}),
                ),
                Gate::PreExportStep => panic!("no pre-export gate in the demo"),
            };
            approver.action("v9.0", action, &body).await.unwrap();
        }
    }
    let outcome = deploy.await.unwrap().unwrap();
    assert_eq!(outcome.run.status_label, "Succeeded", "{outcome:?}");
    assert!(gates.contains(&Gate::Approval), "{gates:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_watch_resumes_in_a_new_engine() {
    let dir = tempfile::tempdir().unwrap();
    let run_id = {
        let e = engine(dir.path());
        let out = e
            .deploy(
                &DeployRequest {
                    plan: request("ContosoCore", "Deploy to Test", Some(TEST_SETTINGS)),
                    ..Default::default()
                },
                &(),
                &CancellationToken::new(),
            )
            .await
            .unwrap();
        out.run.id
    }; // the engine and its sandbox host stop here, mid-deployment
    let e = engine(dir.path());
    let resumed = e.resume(&(), &CancellationToken::new()).await.unwrap();
    let run = resumed.iter().find(|r| r.id == run_id).expect("resumed");
    assert_eq!(run.status_label, "Succeeded", "{resumed:?}");
    let timeline = e.timeline(&run_id).unwrap();
    assert_eq!(timeline.last().unwrap().status_label, "Succeeded");
    assert!(e
        .resume(&(), &CancellationToken::new())
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profiles_and_offline_history() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let added = e
        .add_profile(&NewProfile {
            id: "closed".into(),
            host_url: format!("http://127.0.0.1:{port}"),
            dev_environment: "dev".into(),
            ..Default::default()
        })
        .unwrap();
    assert!(!added.active);
    e.use_profile("closed").unwrap();
    let listed = e.profiles().unwrap();
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().any(|p| p.id == "closed" && p.active));

    // The profile in use now is "closed"; its host is down, yet history answers.
    let mut o = options(dir.path());
    o.client.max_retries = 0;
    let offline = Engine::open(o).unwrap();
    assert_eq!(offline.profile().id, "closed");
    assert!(offline
        .history(&HistoryFilter::default())
        .unwrap()
        .runs
        .is_empty());
    let err = offline.pipelines(None).await.unwrap_err();
    assert!(
        matches!(err, OpsError::NoToken(_)) || err.is_offline(),
        "{err}"
    );
    let err = Engine::open(EngineOptions {
        profile: Some("nobody".into()),
        ..options(dir.path())
    })
    .unwrap_err();
    assert!(matches!(err, OpsError::UnknownProfile(_)), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_validated_run_nobody_deploys_is_waiting_for_its_maker_not_watched_forever() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = options(dir.path());
    // Long enough that following the run to its end would fail the test by its own clock.
    o.max_wait = Duration::from_secs(600);
    let e = Engine::open(o).unwrap();
    let validated = e
        .validate(
            &request("ContosoCore", "Deploy to Test", Some(TEST_SETTINGS)),
            &(),
            &CancellationToken::new(),
        )
        .await
        .unwrap();
    assert_eq!(validated.run.status_label, "Validation Succeeded");
    let id = validated.run.id.clone();

    // A later watch (another process) reports it as waiting and returns.
    let watched = tokio::time::timeout(
        Duration::from_secs(30),
        e.watch(&id, &(), &CancellationToken::new()),
    )
    .await
    .expect("watch returns instead of following a run that cannot move")
    .unwrap();
    let waiting = watched
        .explanations
        .iter()
        .find(|x| x.id == "waiting-for-you")
        .expect("says the run waits for its maker");
    assert!(
        waiting.next_step.contains(&format!("--run {id}"))
            && waiting.next_step.contains("ferry run cancel"),
        "{waiting:?}"
    );
    // Resume leaves it as it is.
    let resumed = e.resume(&(), &CancellationToken::new()).await.unwrap();
    assert!(resumed.iter().any(|r| r.id == id));

    // Deploying that run carries it to the end.
    let deployed = e
        .deploy(
            &DeployRequest {
                plan: request("ContosoCore", "Deploy to Test", Some(TEST_SETTINGS)),
                run_id: Some(id.clone()),
                wait: true,
                ..Default::default()
            },
            &(),
            &CancellationToken::new(),
        )
        .await
        .unwrap();
    assert_eq!(deployed.run.id, id);
    assert_eq!(deployed.run.status_label, "Succeeded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ferry_follows_the_portal_order_validate_then_version() {
    // A host that takes a run's versions only once it is validated.
    let host_dir = tempfile::tempdir().unwrap();
    let mut config = ferry_host::HostConfig::new(host_dir.path());
    config.speed = 50.0;
    config.scenario.options.versions_after_validation = true;
    let host = ferry_host::Host::start(config).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path());
    e.add_profile(&NewProfile {
        id: "strict-order".into(),
        host_url: host.base_url().into(),
        dev_environment: "dev".into(),
        ..Default::default()
    })
    .unwrap();
    e.use_profile("strict-order").unwrap();
    // Sign in as Mona, the code approved on the host in-process.
    let o = options(dir.path());
    let tokens = o.tokens.clone();
    let e = Engine::open(o).unwrap();
    struct Approve<'a>(&'a ferry_host::RunningHost);
    impl ferry_ops::SignInPrompt for Approve<'_> {
        fn device_code(&self, p: &ferry_ops::DeviceCodePrompt) {
            self.0
                .approve_device_code(&p.user_code, "mona")
                .expect("approved");
        }
        fn open_browser(&self, url: &str) {
            panic!("no browser: {url}");
        }
    }
    e.sign_in(ferry_ops::SignInMethod::DeviceCode, &Approve(&host))
        .await
        .unwrap();
    let mut o = options(dir.path());
    o.tokens = tokens;
    let e = Engine::open(o).unwrap();
    let outcome = deploy_core_to_test(&e).await;
    assert_eq!(outcome.run.status_label, "Succeeded", "{outcome:?}");
    assert_eq!(outcome.run.version.as_deref(), Some("1.0.0.4"));
}

/// What each target has installed (and what the checks of a stage need besides: dev's
/// requirements, the promoted artifact) is read once for the screens that ask in a row (the
/// matrix, a solution's stage cards, the wizard's plan), and again after a deployment changed it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_targets_solutions_are_read_once_until_a_deployment_changes_them() {
    let dir = tempfile::tempdir().unwrap();
    let counter = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut o = options(dir.path());
    o.client.requests = Some(counter.clone());
    let e = Engine::open(o).unwrap();
    let sent = || counter.load(std::sync::atomic::Ordering::Relaxed);
    let check = || async {
        let mut pipelines = e.pipelines(Some("ContosoCore")).await.unwrap();
        let before = sent();
        e.check_targets("ContosoCore", &mut pipelines)
            .await
            .unwrap();
        (sent() - before, pipelines)
    };
    let (first, _) = check().await;
    let (again, _) = check().await;
    // Again: only dev's solution list (the targets, dev's requirements and the promoted
    // artifacts were read the first time).
    assert!(
        again <= 1 && again < first,
        "the stage cards read the targets again: {first} requests, then {again}"
    );
    e.matrix(&CancellationToken::new()).await.unwrap();
    let (after_matrix, _) = check().await;
    assert_eq!(after_matrix, again, "the matrix's reads are not reused");

    // A deployment changes what Test has: the next plan sees it, not the copy read before.
    let deployed = deploy_core_to_test(&e).await;
    assert_eq!(deployed.run.version.as_deref(), Some("1.0.0.4"));
    let next = e
        .plan(&request(
            "ContosoCore",
            "Deploy to Test",
            Some(TEST_SETTINGS),
        ))
        .await
        .unwrap();
    assert_eq!(
        next.target_version.as_deref(),
        Some("1.0.0.4"),
        "the plan read Test before the deployment"
    );
}
