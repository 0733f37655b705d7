//! Stage runs exactly as spec §6: creation rules, the actions that move a run
//! (validate, deploy, retry, cancel, gates) and the timed steps the background
//! runner executes. Every function here runs inside one store transaction, and reads and
//! writes the run through its typed view ([`record::Run`]); a run ends only through
//! [`end_run`].

pub mod gates;
pub mod install;
pub mod prebuilt;
pub mod record;
mod redeploy;
mod steps;
pub mod validate;

use ferry_pipelines::{
    DeploymentSettings, GateStatus, Operation, OperationStatus, SolutionVersion, StageRunStatus,
    SubOperation,
};
use rusqlite::Connection;
use serde_json::{Map, Value};

pub use gates::{answer_gate, GateAnswer};
pub use record::{col, Ending, Gate, Phase, Run, Stage, AUTO_APPROVE, RUNS};
pub use steps::{prebuild, run_step};

use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::events::{self, EventName};
use crate::schema::HOST_SCOPE;
use crate::store::records::{self, Record};
use crate::store::{environments, jobs};

/// How long each phase takes at speed 1, in milliseconds (a demo deployment ≈ 20 s).
pub mod phase {
    pub const ENV_VALIDATE: i64 = 2_000;
    pub const EXPORT: i64 = 3_000;
    pub const PREVALIDATE: i64 = 3_000;
    pub const IMPORT: i64 = 7_000;
    pub const PUBLISH: i64 = 5_000;
}

/// The pace of the state machines.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    pub speed: f64,
}

impl Timing {
    /// The due time of a phase that starts now.
    pub fn after(&self, base_ms: i64) -> i64 {
        clock::now_ms() + ((base_ms as f64) / self.speed.max(0.001)).max(1.0) as i64
    }
}

/// Emulator switches a scenario may set (spec §11).
#[derive(Debug, Clone, Copy, Default)]
pub struct RunOptions {
    /// Start validation as soon as a run is created (§11.1).
    pub auto_validate_on_create: bool,
}

pub const KIND_RUN: &str = "run";
pub const KIND_ENV: &str = "env";

/// Hidden run column: created by an app id outside the §11.1 allow list; never validated.
pub const APPID_GATED: &str = col::APPID_GATED;

/// Puts a run on a gate: it waits for an answer, or for the stage's gate automation.
fn wait_on_gate(
    conn: &Connection,
    run: &Run,
    stage: &Stage,
    gate: Gate,
    timing: Timing,
) -> ApiResult<()> {
    let due = stage.auto_approve_ms().map(|ms| timing.after(ms));
    jobs::put(conn, run.id(), KIND_RUN, gate.columns().step, due)?;
    Ok(())
}

pub(crate) fn host_get(conn: &Connection, set: &str, id: &str) -> ApiResult<Record> {
    records::get(conn, HOST_SCOPE, set, id)?.ok_or_else(|| {
        let logical = set.trim_end_matches('s').trim_end_matches("statuse");
        ApiError::no_record(logical, id)
    })
}

/// Ends a run — Succeeded, Failed or Canceled — the one way every path does: the terminal
/// state, its end time (and error), no pending step, a status row, and `OnDeploymentCompleted`
/// for a run that was requested for deployment (a run that never got that far fires nothing).
pub(crate) fn end_run(conn: &Connection, run: &mut Run, ending: Ending<'_>) -> ApiResult<()> {
    run.end(ending);
    jobs::remove(conn, run.id())?;
    let details = match ending {
        Ending::Failed { message, .. } => message,
        other => other.details(),
    };
    run.save(conn, details)?;
    if run.requested() {
        events::deployment_completed(conn, run, ending.operation_status())?;
    }
    Ok(())
}

/// Fires `OnDeploymentRequested` once per run (at the pre-export gate, or at
/// `DeployPackageAsync`).
fn deployment_requested(conn: &Connection, run: &mut Run) -> ApiResult<()> {
    if run.requested() {
        return Ok(());
    }
    run.mark_requested();
    events::deployment_requested(conn, run)
}

/// Fills the system columns of a new run and checks §6.1's rules. `data` holds
/// the client's columns (binds already resolved to `_x_value` keys).
pub fn prepare_create(conn: &Connection, data: &mut Map<String, Value>) -> ApiResult<()> {
    let text = |data: &Map<String, Value>, k: &str| {
        data.get(k).and_then(Value::as_str).map(str::to_string)
    };
    let copy = |data: &mut Map<String, Value>, from: &Record, k: &str| {
        data.insert(k.into(), from.data.get(k).cloned().unwrap_or(Value::Null));
    };
    let stage_id = text(data, col::STAGE)
        .ok_or_else(|| ApiError::bad_request("deploymentstageid@odata.bind is required: bind the run to a stage (/deploymentstages(<id>))"))?;
    let dev_id = text(data, col::DEV)
        .ok_or_else(|| ApiError::bad_request("devdeploymentenvironment@odata.bind is required: bind the run to the dev environment's registration"))?;
    let artifact_name = text(data, col::ARTIFACT_NAME)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            ApiError::bad_request("artifactname is required: send the solution's unique name")
        })?;
    if text(data, col::SOLUTION_ID)
        .filter(|s| !s.is_empty())
        .is_none()
    {
        return Err(ApiError::bad_request(
            "solutionid is required: send the solution's id in the dev environment",
        ));
    }
    let stage = Stage::get(conn, &stage_id)?;
    let pipeline = host_get(conn, "deploymentpipelines", stage.pipeline_id())?;
    if !stage.active() || pipeline.int("statecode") != Some(0) {
        return Err(ApiError::rule(
            "The stage or its pipeline is inactive; an admin must activate it before deploying.",
        ));
    }
    let dev = host_get(conn, "deploymentenvironments", &dev_id)?;
    if dev.int("environmenttype") != Some(200000000) {
        return Err(ApiError::rule(format!(
            "{} is not registered as a development environment on this host.",
            dev.str("name").unwrap_or(&dev_id)
        )));
    }
    if dev.int("validationstatus") != Some(200000001) {
        return Err(ApiError::rule(format!(
            "The registration of {} has not been validated yet; wait for validationstatus Success.",
            dev.str("name").unwrap_or(&dev_id)
        )));
    }
    let linked = records::linked(
        conn,
        HOST_SCOPE,
        "deploymentpipeline_deploymentenvironment",
        &pipeline.id,
        true,
    )?;
    if !linked.iter().any(|e| e.eq_ignore_ascii_case(&dev.id)) {
        return Err(ApiError::rule(format!(
            "The pipeline {} is not linked to the development environment {}; link it first.",
            pipeline.str("name").unwrap_or_default(),
            dev.str("name").unwrap_or_default()
        )));
    }
    let target = host_get(
        conn,
        "deploymentenvironments",
        stage.target_registration_id(),
    )?;

    // Stages go in order: a later stage reuses the artifact that succeeded in the previous one.
    let is_redeployment = data
        .get(col::REDEPLOYMENT)
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if let Some(artifact) = text(data, col::ARTIFACT) {
        let a = host_get(conn, "deploymentartifacts", &artifact)?;
        redeploy::check_bound_artifact(
            conn,
            &pipeline,
            &stage,
            &artifact_name,
            &a,
            is_redeployment,
        )?;
        copy(data, &a, col::VERSION);
    } else if is_redeployment {
        return Err(ApiError::bad_request(
            "isredeployment needs artifactid@odata.bind: bind the artifact to deploy again (/deploymentartifacts(<id>))",
        ));
    } else if let Some(prev) = stage.previous_stage_id() {
        let prev_stage = Stage::get(conn, prev)?;
        let succeeded = latest_succeeded(conn, prev, &artifact_name)?.ok_or_else(|| {
            ApiError::rule(format!(
                "{artifact_name} has not been deployed to {} yet; stages must be deployed in order.",
                prev_stage.name().unwrap_or("the previous stage")
            ))
        })?;
        let succeeded = succeeded.record();
        for k in [col::ARTIFACT, col::VERSION, col::DEV_VERSION] {
            copy(data, succeeded, k);
        }
    }

    if let Some(v) = text(data, col::VERSION) {
        check_version_text(&v)?;
    }
    let name = format!("{} - {artifact_name}", stage.name().unwrap_or("Stage"));
    data.insert(col::NAME.into(), name.into());
    data.insert(col::TARGET.into(), target.id.clone().into());
    data.insert(
        "devenvironmentid".into(),
        dev.data
            .get("environmentid")
            .cloned()
            .unwrap_or(Value::Null),
    );
    data.insert(
        "targetenvironmentid".into(),
        target
            .data
            .get("environmentid")
            .cloned()
            .unwrap_or(Value::Null),
    );
    data.insert(col::STATUS.into(), StageRunStatus::NotStarted.code().into());
    data.insert(col::OPERATION.into(), Operation::None.code().into());
    data.insert(col::SUB_OPERATION.into(), SubOperation::None.code().into());
    data.insert(
        col::OPERATION_STATUS.into(),
        OperationStatus::NotStarted.code().into(),
    );
    data.insert(col::RETRIES.into(), 0.into());
    data.entry(col::CANCELED).or_insert(false.into());
    data.entry(col::REDEPLOYMENT).or_insert(false.into());
    Ok(())
}

/// The latest succeeded run of `artifact` in `stage`.
pub(crate) fn latest_succeeded(
    conn: &Connection,
    stage: &str,
    artifact: &str,
) -> ApiResult<Option<Run>> {
    // By the solution's name, then the stage: a stage has many more runs than a solution.
    let mut runs: Vec<Run> = records::find(conn, HOST_SCOPE, RUNS, col::ARTIFACT_NAME, artifact)?
        .into_iter()
        .map(Run::from_record)
        .filter(|r| r.stage_id().eq_ignore_ascii_case(stage))
        .filter(|r| r.status() == Some(StageRunStatus::Succeeded))
        .collect();
    runs.sort_by_key(|r| r.end_ms().unwrap_or(0));
    Ok(runs.pop())
}

fn check_version_text(v: &str) -> ApiResult<SolutionVersion> {
    v.parse::<SolutionVersion>()
        .map_err(|e| ApiError::bad_request(e.to_string()))
}

/// Applies a client PATCH to a run (spec §5.8, §5.9, §5.12): `changes` holds
/// only columns the schema lets clients update.
pub fn apply_patch(conn: &Connection, run: &mut Run, changes: Map<String, Value>) -> ApiResult<()> {
    apply_patch_as(conn, run, changes, false)
}

/// [`apply_patch`] knowing whether the caller is an admin (who alone may move `scheduledtime`
/// once the deployment is requested, §2.5).
pub fn apply_patch_as(
    conn: &Connection,
    run: &mut Run,
    changes: Map<String, Value>,
    admin: bool,
) -> ApiResult<()> {
    let status = run.status_or_new();
    if changes.get(col::CANCELED).and_then(Value::as_bool) == Some(true) {
        return cancel(conn, run);
    }
    // Re-sending the values a run already has (a client resuming after a lost answer)
    // changes nothing, so it is never refused by the rules below.
    let changes: Map<String, Value> = changes
        .into_iter()
        .filter(|(k, v)| run.column(k) != v)
        .collect();
    if changes.is_empty() {
        return Ok(());
    }
    if run.deploy_requested() && !status.is_terminal() {
        for key in changes.keys() {
            match key.as_str() {
                col::SCHEDULED if admin => {}
                col::SCHEDULED => {
                    return Err(ApiError::rule(
                        "The deployment was requested; only an administrator can change scheduledtime now.",
                    ))
                }
                col::CANCELED => {}
                other => {
                    return Err(ApiError::rule(format!(
                        "The deployment was requested and its approvers decide on what it deploys; {other} cannot change until the run ends."
                    )))
                }
            }
        }
    }
    if status.is_terminal() {
        let settings_only = changes
            .keys()
            .all(|k| k == col::SETTINGS || k == col::CANCELED);
        if !(settings_only && run.retryable()) {
            return Err(ApiError::rule(format!(
                "The stage run has finished ({}); it cannot be changed. Create a new run instead.",
                status.label()
            )));
        }
    }
    let before_deploy = matches!(
        status,
        StageRunStatus::NotStarted
            | StageRunStatus::Validating
            | StageRunStatus::ValidationSucceeded
    );
    for (key, value) in changes {
        match key.as_str() {
            col::SETTINGS => {
                if let Some(text) = value.as_str() {
                    DeploymentSettings::parse(text).map_err(|e| {
                        ApiError::bad_request(format!(
                            "deploymentsettingsjson must be a JSON text with EnvironmentVariables and ConnectionReferences arrays ({e})"
                        ))
                    })?;
                } else if !value.is_null() {
                    return Err(ApiError::bad_request(
                        "deploymentsettingsjson must be a string holding JSON, not a nested object",
                    ));
                }
                if !(before_deploy || status == StageRunStatus::Failed) {
                    return Err(ApiError::rule(
                        "Deployment settings can only be changed before the deployment starts.",
                    ));
                }
                if status == StageRunStatus::Failed {
                    regate(conn, run)?;
                }
            }
            col::VERSION | col::DEV_VERSION | col::NOTES => {
                if !before_deploy {
                    return Err(ApiError::rule(format!(
                        "{key} can only be changed before the deployment starts."
                    )));
                }
                if key != col::NOTES
                    && matches!(
                        status,
                        StageRunStatus::NotStarted | StageRunStatus::Validating
                    )
                    && versions_after_validation(conn)?
                {
                    return Err(ApiError::rule(format!(
                        "{key} can be set once the run is validated (ValidatePackageAsync first)."
                    )));
                }
                if key == col::VERSION {
                    check_artifact_version(conn, run, value.as_str().unwrap_or_default())?;
                } else if key == col::DEV_VERSION {
                    if let Some(v) = value.as_str() {
                        check_version_text(v)?;
                    }
                }
            }
            col::SCHEDULED => {
                if let Some(t) = value.as_str() {
                    clock::parse(t).ok_or_else(|| {
                        ApiError::bad_request(format!(
                            "scheduledtime '{t}' is not an ISO 8601 UTC time"
                        ))
                    })?;
                }
                if !(before_deploy || status == StageRunStatus::Scheduled) {
                    return Err(ApiError::rule(
                        "scheduledtime can only be changed before the deployment starts.",
                    ));
                }
                if status == StageRunStatus::Scheduled {
                    let due = value
                        .as_str()
                        .and_then(clock::text_to_ms)
                        .unwrap_or_else(clock::now_ms);
                    jobs::put(conn, run.id(), KIND_RUN, "deploy.start", Some(due))?;
                }
            }
            _ => {}
        }
        run.set_column(key, value);
    }
    run.update(conn)?;
    Ok(())
}

/// New settings after a deploy-phase failure were never approved: the stage's gates go back
/// to pending, and the retry waits on them again [I].
fn regate(conn: &Connection, run: &mut Run) -> ApiResult<()> {
    let stage = Stage::get(conn, run.stage_id())?;
    if stage.delegated() {
        run.open_gate(Gate::Approval);
    }
    if stage.pre_deployment_required() {
        run.open_gate(Gate::PreDeployment);
    }
    if stage.delegated() || stage.pre_deployment_required() {
        run.set_regate(true);
    }
    Ok(())
}

/// Whether the scenario takes versions only after validation (`versions_after_validation`).
fn versions_after_validation(conn: &Connection) -> ApiResult<bool> {
    Ok(crate::store::meta_get(conn, "options")?
        .and_then(|o| serde_json::from_str::<crate::scenario::options::ScenarioOptions>(&o).ok())
        .is_some_and(|o| o.versions_after_validation))
}

fn check_artifact_version(conn: &Connection, run: &Run, text: &str) -> ApiResult<()> {
    let version = check_version_text(text)?;
    // A run that exported its own artifact may still pick its version; a promoted one not.
    if run.promoted() {
        let current = run.version().unwrap_or_default();
        if !current.is_empty() && current.parse::<SolutionVersion>().ok() != Some(version.clone()) {
            return Err(ApiError::rule(format!(
                "This run promotes the artifact version {current} from the previous stage; its version cannot change."
            )));
        }
        return Ok(());
    }
    let stage = run.stage_id();
    let pipeline = Stage::get(conn, stage)
        .ok()
        .and_then(|s| host_get(conn, "deploymentpipelines", s.pipeline_id()).ok());
    let redeploy = pipeline.is_some_and(|p| p.bool("enableredeployment"));
    if let Some(last) = latest_succeeded(conn, stage, run.artifact_name())? {
        let deployed = last
            .version()
            .and_then(|v| v.parse::<SolutionVersion>().ok());
        if let Some(deployed) = deployed {
            if version <= deployed && !redeploy {
                return Err(ApiError::rule(format!(
                    "artifactversion {version} must be greater than {deployed}, the version already deployed to this stage."
                )));
            }
        }
    }
    Ok(())
}

/// `DeployPackageAsync` enforces the version rule of the PATCH (§5.9) on the version that will
/// be imported, since validation let an unchosen version pass [I]: greater than the stage's
/// last deployed version and, unless this is a redeployment, than a managed version installed
/// in the target (a managed import of the same or an older version fails there).
fn check_deploy_version(conn: &Connection, run: &Run) -> ApiResult<()> {
    let artifact = match run.artifact_id() {
        Some(id) => Some(host_get(conn, "deploymentartifacts", id)?),
        None => None,
    };
    let text = run
        .version()
        .or_else(|| artifact.as_ref().and_then(|a| a.str("artifactversion")))
        .unwrap_or_default()
        .to_string();
    if text.is_empty() {
        return Ok(());
    }
    check_artifact_version(conn, run, &text)?;
    if run.is_redeployment() {
        return Ok(());
    }
    let version = check_version_text(&text)?;
    let target = host_get(conn, "deploymentenvironments", run.target_registration_id())?;
    let env = env_name_of(conn, &target)?;
    let installed = records::find(conn, &env, "solutions", "uniquename", run.artifact_name())?
        .into_iter()
        .find(|s| s.bool("ismanaged"))
        .and_then(|s| {
            s.str("version")
                .and_then(|v| v.parse::<SolutionVersion>().ok())
        });
    if let Some(installed) = installed.filter(|i| version <= *i) {
        return Err(ApiError::rule(format!(
            "artifactversion {version} must be greater than {installed}, the version installed in {}; PATCH a higher artifactversion before deploying.",
            target.str("name").unwrap_or(&env)
        )));
    }
    Ok(())
}

/// `iscanceled: true`: from any non-terminal state to Canceled (§6.5).
pub fn cancel(conn: &Connection, run: &mut Run) -> ApiResult<()> {
    let status = run.status_or_new();
    if status.is_terminal() {
        return Err(ApiError::rule(format!(
            "The stage run has already finished ({}); it cannot be canceled.",
            status.label()
        )));
    }
    // Makers can cancel until the final step: once the import is applied, it runs to the end.
    if run.sub_operation() == SubOperation::CustomizationPublishing {
        return Err(ApiError::rule(
            "The deployment is in its final step (publishing customizations) and can no longer be canceled; wait for it to finish.",
        ));
    }
    end_run(conn, run, Ending::Canceled)
}

/// Remembers who asked for the run (the events' `DeployAsUser`): the caller of
/// `DeployPackageAsync`, or of `ValidatePackageAsync` until someone deploys.
pub fn note_requester(
    conn: &Connection,
    run_id: &str,
    caller: &crate::caller::Caller,
    deploying: bool,
) -> ApiResult<()> {
    let mut run = Run::get(conn, run_id)?;
    let known = run.requester().map(|(upn, _)| upn);
    if (known.is_some() && !deploying) || known == Some(caller.upn.as_str()) {
        return Ok(());
    }
    // Only where the action will move the run; later no-op calls change nothing.
    let movable = match run.status() {
        Some(StageRunStatus::NotStarted) => !deploying,
        Some(StageRunStatus::ValidationSucceeded) => deploying,
        _ => false,
    };
    if !movable {
        return Ok(());
    }
    run.set_requester(&caller.upn, &caller.user_id);
    run.update(conn)?;
    Ok(())
}

/// `ValidatePackageAsync` (§6.2); a second trigger is a no-op.
pub fn start_validation(conn: &Connection, run_id: &str, timing: Timing) -> ApiResult<()> {
    let mut run = Run::get(conn, run_id)?;
    if run.appid_gated() {
        // §11.1: the host never starts validating runs of an app id it does not serve.
        return Ok(());
    }
    match run.status() {
        Some(StageRunStatus::NotStarted) => {}
        Some(s) if s.is_terminal() => {
            return Err(ApiError::rule(format!(
                "The stage run has finished ({}); create a new run to validate again.",
                s.label()
            )))
        }
        _ => return Ok(()),
    }
    let stage = Stage::get(conn, run.stage_id())?;
    if stage.previous_stage_id().is_none()
        && stage.pre_export_required()
        && run.gate_status(Gate::PreExport) != Some(GateStatus::Completed.code())
    {
        run.set_state(
            StageRunStatus::Validating,
            Operation::Validate,
            SubOperation::WaitingOnPreExport,
            OperationStatus::Started,
        );
        run.open_gate(Gate::PreExport);
        wait_on_gate(conn, &run, &stage, Gate::PreExport, timing)?;
        // §6.2: the pre-export gate is where a first-stage deployment is requested.
        deployment_requested(conn, &mut run)?;
        return run.save(conn, "Waiting for the pre-export step");
    }
    run.set_state(
        StageRunStatus::Validating,
        Operation::Validate,
        SubOperation::ExportingSolution,
        OperationStatus::Started,
    );
    jobs::put(
        conn,
        run.id(),
        KIND_RUN,
        "validate.export",
        Some(timing.after(phase::EXPORT)),
    )?;
    run.save(conn, "Validation requested")
}

/// `DeployPackageAsync` (§6.4): only from Validation Succeeded.
pub fn start_deployment(conn: &Connection, run_id: &str, timing: Timing) -> ApiResult<()> {
    let mut run = Run::get(conn, run_id)?;
    let status = run.status();
    if jobs::get(conn, run.id())?.is_some_and(|j| j.step == Gate::Approval.columns().step) {
        return Ok(());
    }
    if status != Some(StageRunStatus::ValidationSucceeded) {
        if matches!(
            status,
            Some(
                StageRunStatus::Deploying
                    | StageRunStatus::Scheduled
                    | StageRunStatus::PreDeploymentInProgress
                    | StageRunStatus::PreDeploymentSucceeded
            )
        ) {
            return Ok(());
        }
        return Err(ApiError::rule(format!(
            "The stage run must pass validation before it is deployed (its status is {}). Call ValidatePackageAsync and wait for Validation Succeeded.",
            status.map(StageRunStatus::label).unwrap_or("unknown")
        )));
    }
    check_deploy_version(conn, &run)?;
    let stage = Stage::get(conn, run.stage_id())?;
    run.mark_deploy_requested();
    deployment_requested(conn, &mut run)?;
    request_approval_or_continue(conn, &mut run, &stage, timing)
}

/// A delegated stage waits for its approver; other stages go on to the pre-deployment gate.
fn request_approval_or_continue(
    conn: &Connection,
    run: &mut Run,
    stage: &Stage,
    timing: Timing,
) -> ApiResult<()> {
    if stage.delegated() {
        run.open_gate(Gate::Approval);
        events::emit(conn, run, EventName::ApprovalStarted, &[])?;
        run.set_state(
            StageRunStatus::ValidationSucceeded,
            Operation::Deploy,
            SubOperation::None,
            OperationStatus::Pending,
        );
        wait_on_gate(conn, run, stage, Gate::Approval, timing)?;
        return run.save(conn, "Waiting for approval");
    }
    after_approval(conn, run, stage, timing)
}

pub(crate) fn after_approval(
    conn: &Connection,
    run: &mut Run,
    stage: &Stage,
    timing: Timing,
) -> ApiResult<()> {
    if stage.pre_deployment_required() {
        run.open_gate(Gate::PreDeployment);
        run.set_state(
            StageRunStatus::PreDeploymentInProgress,
            Operation::PreDeploy,
            SubOperation::PreDeploymentStep,
            OperationStatus::Pending,
        );
        wait_on_gate(conn, run, stage, Gate::PreDeployment, timing)?;
        events::emit(
            conn,
            run,
            EventName::PreDeploymentStarted,
            &[("PreDeploymentStepStatus", GateStatus::Pending.code().into())],
        )?;
        return run.save(conn, "Waiting for the pre-deployment step");
    }
    schedule_or_deploy(conn, run, timing)
}

pub(crate) fn schedule_or_deploy(
    conn: &Connection,
    run: &mut Run,
    timing: Timing,
) -> ApiResult<()> {
    if let Some(due) = run.scheduled_ms().filter(|d| *d > clock::now_ms()) {
        run.set_state(
            StageRunStatus::Scheduled,
            Operation::Deploy,
            SubOperation::None,
            OperationStatus::Scheduled,
        );
        jobs::put(conn, run.id(), KIND_RUN, "deploy.start", Some(due))?;
        events::deployment_started(conn, run, OperationStatus::Scheduled)?;
        return run.save(conn, "Scheduled");
    }
    begin_deploy(conn, run, timing)
}

pub(crate) fn begin_deploy(conn: &Connection, run: &mut Run, timing: Timing) -> ApiResult<()> {
    run.set_state(
        StageRunStatus::Deploying,
        Operation::Deploy,
        SubOperation::ImportingSolution,
        OperationStatus::Started,
    );
    run.start_deploying();
    jobs::put(
        conn,
        run.id(),
        KIND_RUN,
        "deploy.import",
        Some(timing.after(phase::IMPORT)),
    )?;
    events::deployment_started(conn, run, OperationStatus::Started)?;
    run.save(conn, "Importing the solution")
}

/// `RetryFailedDeploymentAsync` (§6.6): only after a deploy-phase failure.
pub fn retry(conn: &Connection, run_id: &str, timing: Timing) -> ApiResult<()> {
    let mut run = Run::get(conn, run_id)?;
    if !run.retryable() {
        return Err(ApiError::rule(format!(
            "Only a deployment that failed while deploying can be retried; this run is {}.",
            run.status().map(StageRunStatus::label).unwrap_or("unknown")
        )));
    }
    run.begin_retry();
    if run.regate() {
        // The settings changed since the gates were answered: ask them again.
        run.set_regate(false);
        run.clear_failure();
        let stage = Stage::get(conn, run.stage_id())?;
        return request_approval_or_continue(conn, &mut run, &stage, timing);
    }
    begin_deploy(conn, &mut run, timing)
}

/// Starts the asynchronous validation of a new environment registration.
pub fn register_environment(conn: &Connection, id: &str, timing: Timing) -> ApiResult<()> {
    jobs::put(
        conn,
        id,
        KIND_ENV,
        "env.validate",
        Some(timing.after(phase::ENV_VALIDATE)),
    )?;
    Ok(())
}

/// The environment name behind a registration row.
pub(crate) fn env_name_of(conn: &Connection, registration: &Record) -> ApiResult<String> {
    let bap = registration.str("environmentid").unwrap_or_default();
    environments::by_bap_id(conn, bap)?
        .map(|e| e.name)
        .ok_or_else(|| {
            ApiError::rule(format!(
                "No environment with id {bap} exists in this tenant."
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    /// A run deploying, with a pending step; `requested` as if `DeployPackageAsync` was called.
    fn deploying(conn: &Connection, id: &str, requested: bool) -> Run {
        let mut data = Map::new();
        data.insert(col::ARTIFACT_NAME.into(), "ContosoCore".into());
        records::insert(conn, HOST_SCOPE, RUNS, "deploymentstagerunid", id, data).unwrap();
        let mut run = Run::get(conn, id).unwrap();
        run.set_state(
            StageRunStatus::Deploying,
            Operation::Deploy,
            SubOperation::ImportingSolution,
            OperationStatus::Started,
        );
        if requested {
            run.mark_requested();
        }
        run.update(conn).unwrap();
        jobs::put(conn, id, KIND_RUN, "deploy.import", Some(1)).unwrap();
        run
    }

    fn status_rows(conn: &Connection, id: &str) -> Vec<Record> {
        records::find(
            conn,
            HOST_SCOPE,
            "deploymentstagerunstatuses",
            "_deploymentstagerunid_value",
            id,
        )
        .unwrap()
    }

    #[test]
    fn every_ending_goes_through_one_path() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let endings = [
            (
                "a",
                Ending::Succeeded,
                StageRunStatus::Succeeded,
                "Deployment complete",
            ),
            (
                "b",
                Ending::Failed {
                    phase: Phase::Deploy,
                    message: "The import failed",
                },
                StageRunStatus::Failed,
                "The import failed",
            ),
            (
                "c",
                Ending::Canceled,
                StageRunStatus::Canceled,
                "Canceled by the maker",
            ),
        ];
        store
            .tx(|c| -> ApiResult<()> {
                for (id, ending, status, details) in endings {
                    let mut run = deploying(c, id, true);
                    end_run(c, &mut run, ending)?;
                    let stored = Run::get(c, id)?;
                    assert_eq!(stored.status(), Some(status), "{id}");
                    assert!(stored.end_ms().is_some(), "{id} has an end time");
                    assert!(jobs::get(c, id)?.is_none(), "{id} has no pending step");
                    let rows = status_rows(c, id);
                    assert_eq!(rows.len(), 1, "{id}");
                    assert_eq!(rows[0].str("details"), Some(details));
                    let events = events::outbox::list(c, Some(id))?;
                    assert_eq!(events.len(), 1, "{id}");
                    assert_eq!(events[0].name, "OnDeploymentCompleted");
                }
                assert!(Run::get(c, "b")?.retryable());
                assert!(!Run::get(c, "c")?.retryable());
                assert!(Run::get(c, "c")?.record().bool(col::CANCELED));
                // A run never requested for deployment ends without an event.
                let mut quiet = deploying(c, "d", false);
                end_run(c, &mut quiet, Ending::Canceled)?;
                assert!(events::outbox::list(c, Some("d"))?.is_empty());
                Ok(())
            })
            .unwrap();
    }
}
