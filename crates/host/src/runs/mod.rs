//! Stage runs exactly as spec §6: creation rules, the actions that move a run
//! (validate, deploy, retry, cancel, gates) and the timed steps the background
//! runner executes. Every function here runs inside one store transaction.

pub mod gates;
pub mod install;
mod redeploy;
mod steps;
pub mod validate;

use ferry_pipelines::{
    ApprovalStatus, DeploymentSettings, GateStatus, Operation, OperationStatus, SolutionVersion,
    StageRunStatus, SubOperation,
};
use rusqlite::Connection;
use serde_json::{json, Map, Value};

pub use gates::{answer_gate, Gate, GateAnswer};
pub use steps::run_step;

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

/// Hidden stage column: gate automation approves this stage's gates after so many ms (speed 1).
pub const AUTO_APPROVE: &str = "__autoapprove_ms";
/// Hidden run column: created by an app id outside the §11.1 allow list; never validated.
pub const APPID_GATED: &str = "__appid_gated";

/// Puts a run on a gate: it waits for an answer, or for the stage's gate automation.
fn wait_on_gate(
    conn: &Connection,
    run: &Record,
    stage: &Record,
    step: &str,
    timing: Timing,
) -> ApiResult<()> {
    let due = stage.int(AUTO_APPROVE).map(|ms| timing.after(ms.max(0)));
    jobs::put(conn, &run.id, KIND_RUN, step, due)?;
    Ok(())
}
pub const KIND_ENV: &str = "env";

const RUNS: &str = "deploymentstageruns";

pub(crate) fn host_get(conn: &Connection, set: &str, id: &str) -> ApiResult<Record> {
    records::get(conn, HOST_SCOPE, set, id)?.ok_or_else(|| {
        let logical = set.trim_end_matches('s').trim_end_matches("statuse");
        ApiError::no_record(logical, id)
    })
}

pub(crate) fn status_of(run: &Record) -> Option<StageRunStatus> {
    run.int("stagerunstatus")
        .and_then(StageRunStatus::from_code)
}

pub(crate) fn set_state(
    run: &mut Record,
    status: StageRunStatus,
    op: Operation,
    sub: SubOperation,
    ops: OperationStatus,
) {
    run.set("stagerunstatus", status.code());
    run.set("operation", op.code());
    run.set("suboperation", sub.code());
    run.set("operationstatus", ops.code());
}

/// Saves the run and appends a `deploymentstagerunstatus` row describing the phase.
pub(crate) fn save(conn: &Connection, run: &mut Record, details: &str) -> ApiResult<()> {
    records::update(conn, HOST_SCOPE, RUNS, run)?;
    let sub = run
        .int("suboperation")
        .and_then(SubOperation::from_code)
        .unwrap_or(SubOperation::None);
    let data = json!({
        "_deploymentstagerunid_value": run.id,
        "name": sub.label(),
        "details": details,
        "errormessage": run.data.get("errormessage").cloned().unwrap_or(Value::Null),
        "operation": run.data.get("operation").cloned().unwrap_or(Value::Null),
        "operationstatus": run.data.get("operationstatus").cloned().unwrap_or(Value::Null),
        "suboperation": sub.code(),
        "starttime": clock::now_text(),
        "retrycount": run.int("retrycount").unwrap_or(0),
    });
    let Value::Object(map) = data else {
        unreachable!()
    };
    records::insert(
        conn,
        HOST_SCOPE,
        "deploymentstagerunstatuses",
        "deploymentstagerunstatusid",
        &uuid::Uuid::new_v4().to_string(),
        map,
    )
    .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(())
}

/// Ends a run as Failed with `message`; `phase` says what failed (`deploy` failures can be retried).
pub(crate) fn fail(
    conn: &Connection,
    run: &mut Record,
    phase: &str,
    message: &str,
) -> ApiResult<()> {
    let op = run
        .int("operation")
        .and_then(Operation::from_code)
        .unwrap_or(Operation::None);
    let sub = run
        .int("suboperation")
        .and_then(SubOperation::from_code)
        .unwrap_or(SubOperation::None);
    set_state(
        run,
        StageRunStatus::Failed,
        op,
        sub,
        OperationStatus::Failed,
    );
    run.set("errormessage", message);
    run.set("endtime", clock::now_text());
    run.set("__failedphase", phase);
    jobs::remove(conn, &run.id)?;
    save(conn, run, message)?;
    events::deployment_completed(conn, run, OperationStatus::Failed)
}

/// Fills the system columns of a new run and checks §6.1's rules. `data` holds
/// the client's columns (binds already resolved to `_x_value` keys).
pub fn prepare_create(conn: &Connection, data: &mut Map<String, Value>) -> ApiResult<()> {
    let text = |data: &Map<String, Value>, k: &str| {
        data.get(k).and_then(Value::as_str).map(str::to_string)
    };
    let stage_id = text(data, "_deploymentstageid_value")
        .ok_or_else(|| ApiError::bad_request("deploymentstageid@odata.bind is required: bind the run to a stage (/deploymentstages(<id>))"))?;
    let dev_id = text(data, "_devdeploymentenvironment_value")
        .ok_or_else(|| ApiError::bad_request("devdeploymentenvironment@odata.bind is required: bind the run to the dev environment's registration"))?;
    let artifact_name = text(data, "artifactname")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            ApiError::bad_request("artifactname is required: send the solution's unique name")
        })?;
    if text(data, "solutionid").filter(|s| !s.is_empty()).is_none() {
        return Err(ApiError::bad_request(
            "solutionid is required: send the solution's id in the dev environment",
        ));
    }
    let stage = host_get(conn, "deploymentstages", &stage_id)?;
    let pipeline_id = stage
        .str("_deploymentpipelineid_value")
        .unwrap_or_default()
        .to_string();
    let pipeline = host_get(conn, "deploymentpipelines", &pipeline_id)?;
    if stage.int("statecode") != Some(0) || pipeline.int("statecode") != Some(0) {
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
    let target_id = stage
        .str("_targetdeploymentenvironmentid_value")
        .unwrap_or_default()
        .to_string();
    let target = host_get(conn, "deploymentenvironments", &target_id)?;

    // Stages go in order: a later stage reuses the artifact that succeeded in the previous one.
    let is_redeployment = data
        .get("isredeployment")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if let Some(artifact) = text(data, "_artifactid_value") {
        let a = host_get(conn, "deploymentartifacts", &artifact)?;
        redeploy::check_bound_artifact(
            conn,
            &pipeline,
            &stage,
            &artifact_name,
            &a,
            is_redeployment,
        )?;
        data.insert(
            "artifactversion".into(),
            a.data
                .get("artifactversion")
                .cloned()
                .unwrap_or(Value::Null),
        );
    } else if is_redeployment {
        return Err(ApiError::bad_request(
            "isredeployment needs artifactid@odata.bind: bind the artifact to deploy again (/deploymentartifacts(<id>))",
        ));
    } else if let Some(prev) = stage.str("_previousdeploymentstageid_value") {
        let prev_stage = host_get(conn, "deploymentstages", prev)?;
        let succeeded = latest_succeeded(conn, prev, &artifact_name)?.ok_or_else(|| {
            ApiError::rule(format!(
                "{artifact_name} has not been deployed to {} yet; stages must be deployed in order.",
                prev_stage.str("name").unwrap_or("the previous stage")
            ))
        })?;
        data.insert(
            "_artifactid_value".into(),
            succeeded
                .data
                .get("_artifactid_value")
                .cloned()
                .unwrap_or(Value::Null),
        );
        data.insert(
            "artifactversion".into(),
            succeeded
                .data
                .get("artifactversion")
                .cloned()
                .unwrap_or(Value::Null),
        );
        data.insert(
            "artifactdevcurrentversion".into(),
            succeeded
                .data
                .get("artifactdevcurrentversion")
                .cloned()
                .unwrap_or(Value::Null),
        );
    }

    if let Some(v) = text(data, "artifactversion") {
        check_version_text(&v)?;
    }
    let name = format!("{} - {artifact_name}", stage.str("name").unwrap_or("Stage"));
    data.insert("name".into(), name.into());
    data.insert(
        "_targetdeploymentenvironment_value".into(),
        target.id.clone().into(),
    );
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
    data.insert(
        "stagerunstatus".into(),
        StageRunStatus::NotStarted.code().into(),
    );
    data.insert("operation".into(), Operation::None.code().into());
    data.insert("suboperation".into(), SubOperation::None.code().into());
    data.insert(
        "operationstatus".into(),
        OperationStatus::NotStarted.code().into(),
    );
    data.insert("retrycount".into(), 0.into());
    data.entry("iscanceled").or_insert(false.into());
    data.entry("isredeployment").or_insert(false.into());
    Ok(())
}

/// The latest succeeded run of `artifact` in `stage`.
pub(crate) fn latest_succeeded(
    conn: &Connection,
    stage: &str,
    artifact: &str,
) -> ApiResult<Option<Record>> {
    let mut runs: Vec<Record> =
        records::find(conn, HOST_SCOPE, RUNS, "_deploymentstageid_value", stage)?
            .into_iter()
            .filter(|r| {
                r.str("artifactname")
                    .is_some_and(|a| a.eq_ignore_ascii_case(artifact))
            })
            .filter(|r| status_of(r) == Some(StageRunStatus::Succeeded))
            .collect();
    runs.sort_by_key(|r| r.str("endtime").and_then(clock::text_to_ms).unwrap_or(0));
    Ok(runs.pop())
}

fn check_version_text(v: &str) -> ApiResult<SolutionVersion> {
    v.parse::<SolutionVersion>()
        .map_err(|e| ApiError::bad_request(e.to_string()))
}

/// Applies a client PATCH to a run (spec §5.8, §5.9, §5.12): `changes` holds
/// only columns the schema lets clients update.
pub fn apply_patch(
    conn: &Connection,
    run: &mut Record,
    changes: Map<String, Value>,
) -> ApiResult<()> {
    apply_patch_as(conn, run, changes, false)
}

/// Hidden run column: `DeployPackageAsync` was accepted; until the run ends, what the approver
/// decided on (versions, notes, settings) is fixed [I].
pub const DEPLOY_REQUESTED: &str = "__deployrequested";
/// Hidden run column: settings changed after a deploy-phase failure; the retry waits on the
/// stage's gates again [I].
pub const REGATE: &str = "__regate";

/// [`apply_patch`] knowing whether the caller is an admin (who alone may move `scheduledtime`
/// once the deployment is requested, §2.5).
pub fn apply_patch_as(
    conn: &Connection,
    run: &mut Record,
    changes: Map<String, Value>,
    admin: bool,
) -> ApiResult<()> {
    let status = status_of(run).unwrap_or(StageRunStatus::NotStarted);
    if changes.get("iscanceled").and_then(Value::as_bool) == Some(true) {
        return cancel(conn, run);
    }
    // Re-sending the values a run already has (a client resuming after a lost answer)
    // changes nothing, so it is never refused by the rules below.
    let changes: Map<String, Value> = changes
        .into_iter()
        .filter(|(k, v)| run.data.get(k).unwrap_or(&Value::Null) != v)
        .collect();
    if changes.is_empty() {
        return Ok(());
    }
    if run.bool(DEPLOY_REQUESTED) && !status.is_terminal() {
        for key in changes.keys() {
            match key.as_str() {
                "scheduledtime" if admin => {}
                "scheduledtime" => {
                    return Err(ApiError::rule(
                        "The deployment was requested; only an administrator can change scheduledtime now.",
                    ))
                }
                "iscanceled" => {}
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
            .all(|k| k == "deploymentsettingsjson" || k == "iscanceled");
        let retryable =
            status == StageRunStatus::Failed && run.str("__failedphase") == Some("deploy");
        if !(settings_only && retryable) {
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
            "deploymentsettingsjson" => {
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
            "artifactversion" | "artifactdevcurrentversion" | "deploymentnotes" => {
                if !before_deploy {
                    return Err(ApiError::rule(format!(
                        "{key} can only be changed before the deployment starts."
                    )));
                }
                if key != "deploymentnotes"
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
                if key == "artifactversion" {
                    check_artifact_version(conn, run, value.as_str().unwrap_or_default())?;
                } else if key == "artifactdevcurrentversion" {
                    if let Some(v) = value.as_str() {
                        check_version_text(v)?;
                    }
                }
            }
            "scheduledtime" => {
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
                    jobs::put(conn, &run.id, KIND_RUN, "deploy.start", Some(due))?;
                }
            }
            _ => {}
        }
        run.data.insert(key, value);
    }
    records::update(conn, HOST_SCOPE, RUNS, run)?;
    Ok(())
}

/// New settings after a deploy-phase failure were never approved: the stage's gates go back
/// to pending, and the retry waits on them again [I].
fn regate(conn: &Connection, run: &mut Record) -> ApiResult<()> {
    let stage = host_get(
        conn,
        "deploymentstages",
        run.str("_deploymentstageid_value").unwrap_or_default(),
    )?;
    let delegated = stage.bool("isdelegateddeployment");
    let predeploy = stage.bool("predeploymentsteprequired");
    if delegated {
        run.set("approvalstatus", ApprovalStatus::Pending.code());
    }
    if predeploy {
        run.set("predeploymentstepstatus", GateStatus::Pending.code());
    }
    if delegated || predeploy {
        run.set(REGATE, true);
    }
    Ok(())
}

/// Whether the scenario takes versions only after validation (`versions_after_validation`).
fn versions_after_validation(conn: &Connection) -> ApiResult<bool> {
    Ok(crate::store::meta_get(conn, "options")?
        .and_then(|o| serde_json::from_str::<crate::scenario::ScenarioOptions>(&o).ok())
        .is_some_and(|o| o.versions_after_validation))
}

fn check_artifact_version(conn: &Connection, run: &Record, text: &str) -> ApiResult<()> {
    let version = check_version_text(text)?;
    // `__exported` is a bool: a run that exported its own artifact may still pick its version.
    let promoted = run.str("_artifactid_value").is_some() && !run.bool("__exported");
    if promoted {
        let current = run.str("artifactversion").unwrap_or_default();
        if !current.is_empty() && current.parse::<SolutionVersion>().ok() != Some(version.clone()) {
            return Err(ApiError::rule(format!(
                "This run promotes the artifact version {current} from the previous stage; its version cannot change."
            )));
        }
        return Ok(());
    }
    let stage = run.str("_deploymentstageid_value").unwrap_or_default();
    let pipeline = host_get(conn, "deploymentstages", stage)
        .ok()
        .and_then(|s| s.str("_deploymentpipelineid_value").map(str::to_string))
        .and_then(|p| host_get(conn, "deploymentpipelines", &p).ok());
    let redeploy = pipeline.is_some_and(|p| p.bool("enableredeployment"));
    if let Some(last) = latest_succeeded(conn, stage, run.str("artifactname").unwrap_or_default())?
    {
        let deployed = last
            .str("artifactversion")
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
fn check_deploy_version(conn: &Connection, run: &Record) -> ApiResult<()> {
    let artifact = match run.str("_artifactid_value") {
        Some(id) => Some(host_get(conn, "deploymentartifacts", id)?),
        None => None,
    };
    let text = run
        .str("artifactversion")
        .filter(|v| !v.is_empty())
        .or_else(|| artifact.as_ref().and_then(|a| a.str("artifactversion")))
        .unwrap_or_default()
        .to_string();
    if text.is_empty() {
        return Ok(());
    }
    check_artifact_version(conn, run, &text)?;
    if run.bool("isredeployment") {
        return Ok(());
    }
    let version = check_version_text(&text)?;
    let target = host_get(
        conn,
        "deploymentenvironments",
        run.str("_targetdeploymentenvironment_value")
            .unwrap_or_default(),
    )?;
    let env = env_name_of(conn, &target)?;
    let name = run.str("artifactname").unwrap_or_default();
    let installed = records::find(conn, &env, "solutions", "uniquename", name)?
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
pub fn cancel(conn: &Connection, run: &mut Record) -> ApiResult<()> {
    let status = status_of(run).unwrap_or(StageRunStatus::NotStarted);
    if status.is_terminal() {
        return Err(ApiError::rule(format!(
            "The stage run has already finished ({}); it cannot be canceled.",
            status.label()
        )));
    }
    // Makers can cancel until the final step: once the import is applied, it runs to the end.
    if run.int("suboperation") == Some(SubOperation::CustomizationPublishing.code()) {
        return Err(ApiError::rule(
            "The deployment is in its final step (publishing customizations) and can no longer be canceled; wait for it to finish.",
        ));
    }
    let op = run
        .int("operation")
        .and_then(Operation::from_code)
        .unwrap_or(Operation::None);
    let sub = run
        .int("suboperation")
        .and_then(SubOperation::from_code)
        .unwrap_or(SubOperation::None);
    set_state(
        run,
        StageRunStatus::Canceled,
        op,
        sub,
        OperationStatus::Canceled,
    );
    run.set("iscanceled", true);
    run.set("endtime", clock::now_text());
    jobs::remove(conn, &run.id)?;
    save(conn, run, "Canceled by the maker")?;
    events::deployment_completed(conn, run, OperationStatus::Canceled)
}

/// Remembers who asked for the run (the events' `DeployAsUser`): the caller of
/// `DeployPackageAsync`, or of `ValidatePackageAsync` until someone deploys.
pub fn note_requester(
    conn: &Connection,
    run_id: &str,
    caller: &crate::caller::Caller,
    deploying: bool,
) -> ApiResult<()> {
    let mut run = host_get(conn, RUNS, run_id)?;
    let known = run.str("__requester").is_some();
    if (known && !deploying) || run.str("__requester") == Some(caller.upn.as_str()) {
        return Ok(());
    }
    // Only where the action will move the run; later no-op calls change nothing.
    let movable = match status_of(&run) {
        Some(StageRunStatus::NotStarted) => !deploying,
        Some(StageRunStatus::ValidationSucceeded) => deploying,
        _ => false,
    };
    if !movable {
        return Ok(());
    }
    run.set("__requester", caller.upn.as_str());
    run.set("__requester_id", caller.user_id.as_str());
    records::update(conn, HOST_SCOPE, RUNS, &mut run)?;
    Ok(())
}

/// `ValidatePackageAsync` (§6.2); a second trigger is a no-op.
pub fn start_validation(conn: &Connection, run_id: &str, timing: Timing) -> ApiResult<()> {
    let mut run = host_get(conn, RUNS, run_id)?;
    if run.bool(APPID_GATED) {
        // §11.1: the host never starts validating runs of an app id it does not serve.
        return Ok(());
    }
    match status_of(&run) {
        Some(StageRunStatus::NotStarted) => {}
        Some(s) if s.is_terminal() => {
            return Err(ApiError::rule(format!(
                "The stage run has finished ({}); create a new run to validate again.",
                s.label()
            )))
        }
        _ => return Ok(()),
    }
    let stage = host_get(
        conn,
        "deploymentstages",
        run.str("_deploymentstageid_value").unwrap_or_default(),
    )?;
    let first = stage.str("_previousdeploymentstageid_value").is_none();
    if first
        && stage.bool("preexportsteprequired")
        && run.int("preexportstepstatus") != Some(GateStatus::Completed.code())
    {
        set_state(
            &mut run,
            StageRunStatus::Validating,
            Operation::Validate,
            SubOperation::WaitingOnPreExport,
            OperationStatus::Started,
        );
        run.set("preexportstepstatus", GateStatus::Pending.code());
        wait_on_gate(conn, &run, &stage, "wait.preexport", timing)?;
        // §6.2: the pre-export gate is where a first-stage deployment is requested.
        events::deployment_requested(conn, &mut run)?;
        return save(conn, &mut run, "Waiting for the pre-export step");
    }
    set_state(
        &mut run,
        StageRunStatus::Validating,
        Operation::Validate,
        SubOperation::ExportingSolution,
        OperationStatus::Started,
    );
    jobs::put(
        conn,
        &run.id,
        KIND_RUN,
        "validate.export",
        Some(timing.after(phase::EXPORT)),
    )?;
    save(conn, &mut run, "Validation requested")
}

/// `DeployPackageAsync` (§6.4): only from Validation Succeeded.
pub fn start_deployment(conn: &Connection, run_id: &str, timing: Timing) -> ApiResult<()> {
    let mut run = host_get(conn, RUNS, run_id)?;
    let status = status_of(&run);
    if jobs::get(conn, &run.id)?.is_some_and(|j| j.step == "wait.approval") {
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
    let stage = host_get(
        conn,
        "deploymentstages",
        run.str("_deploymentstageid_value").unwrap_or_default(),
    )?;
    run.set(DEPLOY_REQUESTED, true);
    events::deployment_requested(conn, &mut run)?;
    request_approval_or_continue(conn, &mut run, &stage, timing)
}

/// A delegated stage waits for its approver; other stages go on to the pre-deployment gate.
fn request_approval_or_continue(
    conn: &Connection,
    run: &mut Record,
    stage: &Record,
    timing: Timing,
) -> ApiResult<()> {
    if stage.bool("isdelegateddeployment") {
        run.set("approvalstatus", ApprovalStatus::Pending.code());
        events::emit(conn, run, EventName::ApprovalStarted, &[])?;
        set_state(
            run,
            StageRunStatus::ValidationSucceeded,
            Operation::Deploy,
            SubOperation::None,
            OperationStatus::Pending,
        );
        wait_on_gate(conn, run, stage, "wait.approval", timing)?;
        return save(conn, run, "Waiting for approval");
    }
    after_approval(conn, run, stage, timing)
}

pub(crate) fn after_approval(
    conn: &Connection,
    run: &mut Record,
    stage: &Record,
    timing: Timing,
) -> ApiResult<()> {
    if stage.bool("predeploymentsteprequired") {
        run.set("predeploymentstepstatus", GateStatus::Pending.code());
        set_state(
            run,
            StageRunStatus::PreDeploymentInProgress,
            Operation::PreDeploy,
            SubOperation::PreDeploymentStep,
            OperationStatus::Pending,
        );
        wait_on_gate(conn, run, stage, "wait.predeploy", timing)?;
        events::emit(
            conn,
            run,
            EventName::PreDeploymentStarted,
            &[("PreDeploymentStepStatus", GateStatus::Pending.code().into())],
        )?;
        return save(conn, run, "Waiting for the pre-deployment step");
    }
    schedule_or_deploy(conn, run, timing)
}

pub(crate) fn schedule_or_deploy(
    conn: &Connection,
    run: &mut Record,
    timing: Timing,
) -> ApiResult<()> {
    let due = run.str("scheduledtime").and_then(clock::text_to_ms);
    if let Some(due) = due.filter(|d| *d > clock::now_ms()) {
        set_state(
            run,
            StageRunStatus::Scheduled,
            Operation::Deploy,
            SubOperation::None,
            OperationStatus::Scheduled,
        );
        jobs::put(conn, &run.id, KIND_RUN, "deploy.start", Some(due))?;
        events::deployment_started(conn, run, OperationStatus::Scheduled)?;
        return save(conn, run, "Scheduled");
    }
    begin_deploy(conn, run, timing)
}

pub(crate) fn begin_deploy(conn: &Connection, run: &mut Record, timing: Timing) -> ApiResult<()> {
    set_state(
        run,
        StageRunStatus::Deploying,
        Operation::Deploy,
        SubOperation::ImportingSolution,
        OperationStatus::Started,
    );
    run.set("starttime", clock::now_text());
    run.set("errormessage", Value::Null);
    run.data.remove("__failedphase");
    run.data.remove(steps::IMPORT_STRETCHED);
    jobs::put(
        conn,
        &run.id,
        KIND_RUN,
        "deploy.import",
        Some(timing.after(phase::IMPORT)),
    )?;
    events::deployment_started(conn, run, OperationStatus::Started)?;
    save(conn, run, "Importing the solution")
}

/// `RetryFailedDeploymentAsync` (§6.6): only after a deploy-phase failure.
pub fn retry(conn: &Connection, run_id: &str, timing: Timing) -> ApiResult<()> {
    let mut run = host_get(conn, RUNS, run_id)?;
    if status_of(&run) != Some(StageRunStatus::Failed) || run.str("__failedphase") != Some("deploy")
    {
        return Err(ApiError::rule(format!(
            "Only a deployment that failed while deploying can be retried; this run is {}.",
            status_of(&run)
                .map(StageRunStatus::label)
                .unwrap_or("unknown")
        )));
    }
    let count = run.int("retrycount").unwrap_or(0) + 1;
    run.set("retrycount", count);
    run.set("endtime", Value::Null);
    if run.bool(REGATE) {
        // The settings changed since the gates were answered: ask them again.
        run.data.remove(REGATE);
        run.set("errormessage", Value::Null);
        run.data.remove("__failedphase");
        let stage = host_get(
            conn,
            "deploymentstages",
            run.str("_deploymentstageid_value").unwrap_or_default(),
        )?;
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
