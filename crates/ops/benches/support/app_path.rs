//! The desktop app's way from a solution's "Deploy here" to a finished deployment, replayed
//! through the engine: the same `Engine` calls the app's IPC commands make, in the order the
//! Deploy wizard (`ui/src/deploy/wizard/DeployWizard.tsx`) and the run page
//! (`ui/src/run/RunPage.tsx`) make them, with every HTTP request the engine sends noted
//! (`ClientOptions::log`) and sorted by kind. Shared by the `app_path` benchmark and the ops
//! test that holds the request count to issue 18 §6's goal.
//!
//! The app's calls, by screen (each a command of `src-tauri/src/commands/`):
//! - before: the solution page — `solutions`, `pipelines(solution)` (with `check_targets`);
//!   not counted, but what it read lately is there for the wizard, as in the app.
//! - the wizard opens (Deploy here): `plan` (solution, stage id; no values).
//! - Validate: `validate` with the same request.
//! - Connections and variables: `check_values` as the maker types or imports a settings file
//!   (nothing goes to the host); the summary shows its last verdict (no plan of its own).
//! - Deploy: `deploy` with the values and the validated run's id, following the run to its
//!   end (`wait: true`); the wizard opens the run page at the first event past validation.
//! - the run page: `run_record` and two `export_run` (the cache); it shows the deployment's
//!   events as they come (`ui/src/run/live.ts`) instead of following the run again.
//!
//! Excluded from the count, and said so: the session's set-up (the sandbox's sign-in, the
//! development environment's discovery, who the maker is: `Engine::connect` before the walk)
//! and the reads of the run's status (`GET deploymentstageruns(id)`), which the pacing
//! benchmark (`watch`) measures.

#![allow(dead_code)] // each includer uses its part

use std::sync::{Arc, Mutex};
use std::time::Instant;

use ferry_dataverse::RequestLog;
use ferry_ops::{
    check_values, CancellationToken, DeployRequest, DeploymentValues, Engine, PlanRequest,
    ProgressSink, RunEvent, RunOutcome, ValuesRequest,
};

pub use super::demo::State;

/// What one walk through the app cost.
pub struct Walk {
    /// Requests of the solution page before "Deploy here" (not part of the goal).
    pub before: Vec<(String, String)>,
    /// Every request from "Deploy here" to the end.
    pub requests: Vec<(String, String)>,
    /// The events the wizard's validation step and the run page got, and when.
    pub events: Vec<(Instant, State)>,
    /// The run's id.
    pub run_id: String,
    /// The end of the run.
    pub outcome: RunOutcome,
}

impl Walk {
    /// Requests that count for the goal: all but reads of the run's status.
    pub fn counted(&self) -> usize {
        self.requests.iter().filter(|r| !is_poll(r)).count()
    }

    /// Reads of the run's status.
    pub fn polls(&self) -> usize {
        self.requests.iter().filter(|r| is_poll(r)).count()
    }
}

/// Whether a request reads one stage run by its id (a status read while following a run).
pub fn is_poll((method, url): &(String, String)) -> bool {
    method == "GET" && kind_name(url).starts_with("deploymentstageruns(")
}

/// Whether a [`kind`] is a read of the run's status.
pub fn is_poll_kind(kind: &str) -> bool {
    kind.starts_with("GET deploymentstageruns(")
}

/// A request's kind: what it asks for, without ids and query (`GET solutioncomponents`,
/// `POST ValidatePackageAsync`, `GET BAP environments`, …).
pub fn kind(request: &(String, String)) -> String {
    let (method, url) = request;
    let name = kind_name(url);
    let name = match name.split_once('(') {
        Some((head, _)) => format!("{head}(…)"),
        None => name,
    };
    format!("{method} {name}")
}

fn kind_name(url: &str) -> String {
    let path = url.split('?').next().unwrap_or(url);
    if let Some((_, rest)) = path.split_once("/api/data/") {
        // Past the version segment.
        let rest = rest.split_once('/').map(|(_, r)| r).unwrap_or(rest);
        return rest.split('/').next().unwrap_or(rest).to_string();
    }
    if path.contains("Microsoft.BusinessAppPlatform/environments") {
        return "BAP environments".into();
    }
    if path.contains("Microsoft.PowerApps/connections") {
        return "Power Apps connections".into();
    }
    path.rsplit('/').next().unwrap_or(path).to_string()
}

/// Requests by kind, most first (ties by name).
pub fn by_kind(requests: &[(String, String)]) -> Vec<(String, usize)> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for r in requests {
        let k = kind(r);
        match counts.iter_mut().find(|(name, _)| *name == k) {
            Some((_, n)) => *n += 1,
            None => counts.push((k, 1)),
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    counts
}

/// Records the events the maker sees (the wizard's validation step, then the run page), and
/// when they came; and the run's id once it is known.
#[derive(Clone, Default)]
pub struct Recorder {
    pub events: Arc<Mutex<Vec<(Instant, State)>>>,
    pub run_id: Arc<Mutex<Option<String>>>,
}

impl ProgressSink for Recorder {
    fn event(&self, e: RunEvent) {
        self.run_id
            .lock()
            .unwrap()
            .get_or_insert_with(|| e.run_id.clone());
        self.events
            .lock()
            .unwrap()
            .push((Instant::now(), (e.run.status, e.run.step.clone())));
    }
}

/// Where the wizard is opened from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// The solution page, just read (the app's way: "Deploy here" is on its stage cards).
    SolutionPage,
    /// Nothing read lately (the solution page was read longer ago than anything is reused).
    Cold,
}

/// Walks from a solution page's "Deploy here" on `stage` (by name) to the run's end, the way
/// the app does; `settings` is the settings file the maker imports on the values step.
pub async fn deploy_through_the_app(
    engine: &Engine,
    log: &RequestLog,
    solution: &str,
    stage: &str,
    settings: Option<&str>,
    run_page: &Recorder,
) -> Walk {
    walk(
        engine,
        log,
        Start::SolutionPage,
        solution,
        stage,
        settings,
        run_page,
    )
    .await
}

/// [`deploy_through_the_app`] from `start`.
pub async fn walk(
    engine: &Engine,
    log: &RequestLog,
    start: Start,
    solution: &str,
    stage: &str,
    settings: Option<&str>,
    run_page: &Recorder,
) -> Walk {
    let cancel = CancellationToken::new();
    log.take();
    let stage_id = match start {
        Start::SolutionPage => {
            engine.solutions().await.expect("the solutions list");
            let mut pipelines = engine.pipelines(Some(solution)).await.expect("pipelines");
            engine
                .check_targets(solution, &mut pipelines)
                .await
                .expect("the targets' check");
            pipelines
                .iter()
                .flat_map(|p| &p.stages)
                .find(|s| s.name == stage)
                .map(|s| s.id.clone())
                .expect("the stage is on the solution page")
        }
        // The plan finds a stage by name as by id.
        Start::Cold => stage.to_string(),
    };
    let before = log.take();

    // The wizard opens.
    let first = PlanRequest {
        solution: solution.into(),
        stage: stage_id.clone(),
        ..Default::default()
    };
    let plan = engine.plan(&first).await.expect("the wizard's plan");
    // Validate.
    let validated = engine
        .validate(&first, run_page, &cancel)
        .await
        .expect("validation");
    let run_id = validated.run.id.clone();
    *run_page.run_id.lock().unwrap() = Some(run_id.clone());
    // Connections and variables: the maker imports the stage's settings file.
    let values = check_values(&ValuesRequest {
        plan: plan.clone(),
        values: DeploymentValues::default(),
        settings_json: settings.map(str::to_string),
    })
    .expect("the values check")
    .values;
    let with_values = PlanRequest {
        values: Some(values),
        ..first.clone()
    };
    // Deploy, its events going to the run page once it opens.
    let outcome = engine
        .deploy(
            &DeployRequest {
                plan: with_values,
                run_id: Some(run_id.clone()),
                wait: true,
                ..Default::default()
            },
            run_page,
            &cancel,
        )
        .await
        .expect("the deployment");
    engine.run_record(&run_id).expect("the run's record");
    let requests = log.take();
    let events = run_page.events.lock().unwrap().clone();
    Walk {
        before,
        requests,
        events,
        run_id,
        outcome,
    }
}
