//! The typed view of a stored stage run (`deploymentstageruns`) and of its stage: the run's
//! transitions read and write a run only through these methods, so each column's name and type
//! is written once, here. A leaf module (store rows, the clock, the pipelines vocabulary), so
//! the events and routes that read a run need nothing else of `runs`.

use ferry_pipelines::{
    ApprovalStatus, GateStatus, Operation, OperationStatus, StageRunStatus, SubOperation,
    ValidationResults,
};
use rusqlite::Connection;
use serde_json::{json, Value};

use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::schema::HOST_SCOPE;
use crate::store::records::{self, Record};

/// The runs' entity set.
pub const RUNS: &str = "deploymentstageruns";

/// Column names of a run, wire columns first, then the host's hidden ones (`__…`, never served).
pub mod col {
    pub const STATUS: &str = "stagerunstatus";
    pub const OPERATION: &str = "operation";
    pub const SUB_OPERATION: &str = "suboperation";
    pub const OPERATION_STATUS: &str = "operationstatus";
    pub const STAGE: &str = "_deploymentstageid_value";
    pub const DEV: &str = "_devdeploymentenvironment_value";
    pub const TARGET: &str = "_targetdeploymentenvironment_value";
    pub const ARTIFACT: &str = "_artifactid_value";
    pub const ARTIFACT_NAME: &str = "artifactname";
    pub const SOLUTION_ID: &str = "solutionid";
    pub const VERSION: &str = "artifactversion";
    pub const DEV_VERSION: &str = "artifactdevcurrentversion";
    pub const SETTINGS: &str = "deploymentsettingsjson";
    pub const NOTES: &str = "deploymentnotes";
    pub const SCHEDULED: &str = "scheduledtime";
    pub const START: &str = "starttime";
    pub const END: &str = "endtime";
    pub const ERROR: &str = "errormessage";
    pub const DETAILS: &str = "operationdetails";
    pub const RETRIES: &str = "retrycount";
    pub const CANCELED: &str = "iscanceled";
    pub const REDEPLOYMENT: &str = "isredeployment";
    pub const VALIDATION_RESULTS: &str = "validationresults";
    pub const NAME: &str = "name";
    /// Which phase failed (`validate`, `deploy`, `gate`, `host`); only `deploy` is retryable.
    pub const FAILED_PHASE: &str = "__failedphase";
    /// The run exported its own artifact (a first stage), so it may still pick its version.
    pub const EXPORTED: &str = "__exported";
    /// Who asked for the run (the events' `DeployAsUser`): upn and user id.
    pub const REQUESTER: &str = "__requester";
    pub const REQUESTER_ID: &str = "__requester_id";
    /// `OnDeploymentRequested` fired (once per run).
    pub const REQUESTED: &str = "__requested";
    /// `DeployPackageAsync` was accepted; until the run ends, what the approver decided on
    /// (versions, notes, settings) is fixed [I].
    pub const DEPLOY_REQUESTED: &str = "__deployrequested";
    /// Settings changed after a deploy-phase failure; the retry waits on the gates again [I].
    pub const REGATE: &str = "__regate";
    /// The import phase was already stretched by `import_slowdown`.
    pub const IMPORT_STRETCHED: &str = "__importstretched";
    /// Created by an app id outside the §11.1 allow list; never validated.
    pub const APPID_GATED: &str = "__appid_gated";
}

/// Which phase of a run failed; stored as text in [`col::FAILED_PHASE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Validate,
    Deploy,
    Gate,
    /// The host itself could not go on (a 5xx inside a step).
    Host,
}

impl Phase {
    fn as_str(self) -> &'static str {
        match self {
            Phase::Validate => "validate",
            Phase::Deploy => "deploy",
            Phase::Gate => "gate",
            Phase::Host => "host",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [Phase::Validate, Phase::Deploy, Phase::Gate, Phase::Host]
            .into_iter()
            .find(|p| p.as_str() == text)
    }

    /// The phase a timed step belongs to.
    pub fn of_step(step: &str) -> Self {
        if step.starts_with("deploy") {
            Phase::Deploy
        } else {
            Phase::Validate
        }
    }
}

/// How a run ends: the three terminal states, each reached only through `runs::end_run`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending<'a> {
    Succeeded,
    Failed { phase: Phase, message: &'a str },
    Canceled,
}

impl Ending<'_> {
    pub fn operation_status(self) -> OperationStatus {
        match self {
            Ending::Succeeded => OperationStatus::Succeeded,
            Ending::Failed { .. } => OperationStatus::Failed,
            Ending::Canceled => OperationStatus::Canceled,
        }
    }

    /// The details of the status row the ending writes.
    pub fn details(self) -> &'static str {
        match self {
            Ending::Succeeded => "Deployment complete",
            Ending::Failed { .. } => "",
            Ending::Canceled => "Canceled by the maker",
        }
    }
}

/// Which gate an action answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    PreExport,
    Approval,
    PreDeployment,
}

/// The run columns of one gate.
pub struct GateColumns {
    pub status: &'static str,
    pub comments: &'static str,
    pub properties: Option<&'static str>,
    /// The job step of a run waiting on it.
    pub step: &'static str,
}

impl Gate {
    /// The message that answers it.
    pub fn message(self) -> &'static str {
        match self {
            Gate::PreExport => "UpdatePreExportStepStatus",
            Gate::Approval => "UpdateApprovalStatus",
            Gate::PreDeployment => "UpdatePreDeploymentStepStatus",
        }
    }

    pub fn columns(self) -> GateColumns {
        match self {
            Gate::PreExport => GateColumns {
                status: "preexportstepstatus",
                comments: "preexportstepcomments",
                properties: Some("preexportproperties"),
                step: "wait.preexport",
            },
            Gate::Approval => GateColumns {
                status: "approvalstatus",
                comments: "approvalcomments",
                properties: Some("approvalproperties"),
                step: "wait.approval",
            },
            Gate::PreDeployment => GateColumns {
                status: "predeploymentstepstatus",
                comments: "predeploymentstepcomments",
                properties: None,
                step: "wait.predeploy",
            },
        }
    }
}

/// A stored stage run, read and written through typed methods.
#[derive(Debug, Clone)]
pub struct Run(Record);

impl Run {
    /// The run `id`, or the Dataverse 404.
    pub fn get(conn: &Connection, id: &str) -> ApiResult<Self> {
        Self::find(conn, id)?.ok_or_else(|| ApiError::no_record("deploymentstagerun", id))
    }

    pub fn find(conn: &Connection, id: &str) -> rusqlite::Result<Option<Self>> {
        Ok(records::get(conn, HOST_SCOPE, RUNS, id)?.map(Run))
    }

    /// A run row read some other way (a list, a route's fetch).
    pub fn from_record(record: Record) -> Self {
        Run(record)
    }

    pub fn id(&self) -> &str {
        &self.0.id
    }

    /// The stored row, for what renders or describes it (events, the audit trail).
    pub fn record(&self) -> &Record {
        &self.0
    }

    pub fn into_record(self) -> Record {
        self.0
    }

    fn text(&self, key: &str) -> Option<&str> {
        self.0.str(key).filter(|s| !s.is_empty())
    }

    fn flag(&mut self, key: &str, on: bool) {
        if on {
            self.0.set(key, true);
        } else {
            self.0.data.remove(key);
        }
    }

    // --- the state machine's four columns -------------------------------------------------

    pub fn status(&self) -> Option<StageRunStatus> {
        self.0.int(col::STATUS).and_then(StageRunStatus::from_code)
    }

    /// The status, a run without one counting as not started.
    pub fn status_or_new(&self) -> StageRunStatus {
        self.status().unwrap_or(StageRunStatus::NotStarted)
    }

    pub fn is_terminal(&self) -> bool {
        self.status().is_some_and(StageRunStatus::is_terminal)
    }

    pub fn operation(&self) -> Operation {
        self.0
            .int(col::OPERATION)
            .and_then(Operation::from_code)
            .unwrap_or(Operation::None)
    }

    pub fn sub_operation(&self) -> SubOperation {
        self.0
            .int(col::SUB_OPERATION)
            .and_then(SubOperation::from_code)
            .unwrap_or(SubOperation::None)
    }

    pub fn set_state(
        &mut self,
        status: StageRunStatus,
        op: Operation,
        sub: SubOperation,
        ops: OperationStatus,
    ) {
        self.0.set(col::STATUS, status.code());
        self.0.set(col::OPERATION, op.code());
        self.0.set(col::SUB_OPERATION, sub.code());
        self.0.set(col::OPERATION_STATUS, ops.code());
    }

    /// Marks the run ended as `ending` says (state, end time, error, phase); `runs::end_run`
    /// does the rest (job, status row, event).
    pub fn end(&mut self, ending: Ending<'_>) {
        let (status, op, sub) = match ending {
            Ending::Succeeded => (
                StageRunStatus::Succeeded,
                Operation::Deploy,
                SubOperation::DeploymentComplete,
            ),
            Ending::Failed { .. } => (
                StageRunStatus::Failed,
                self.operation(),
                self.sub_operation(),
            ),
            Ending::Canceled => (
                StageRunStatus::Canceled,
                self.operation(),
                self.sub_operation(),
            ),
        };
        self.set_state(status, op, sub, ending.operation_status());
        self.0.set(col::END, clock::now_text());
        match ending {
            Ending::Failed { phase, message } => {
                self.0.set(col::ERROR, message);
                self.0.set(col::FAILED_PHASE, phase.as_str());
            }
            Ending::Canceled => self.0.set(col::CANCELED, true),
            Ending::Succeeded => {}
        }
    }

    // --- what the run deploys, and where ---------------------------------------------------

    pub fn stage_id(&self) -> &str {
        self.0.str(col::STAGE).unwrap_or_default()
    }

    pub fn dev_registration_id(&self) -> &str {
        self.0.str(col::DEV).unwrap_or_default()
    }

    pub fn target_registration_id(&self) -> &str {
        self.0.str(col::TARGET).unwrap_or_default()
    }

    pub fn artifact_id(&self) -> Option<&str> {
        self.0.str(col::ARTIFACT)
    }

    pub fn artifact_name(&self) -> &str {
        self.0.str(col::ARTIFACT_NAME).unwrap_or_default()
    }

    pub fn solution_id(&self) -> &str {
        self.0.str(col::SOLUTION_ID).unwrap_or_default()
    }

    /// Binds the artifact this run exported itself (so it may still pick its version).
    pub fn set_exported_artifact(&mut self, id: &str) {
        self.0.set(col::ARTIFACT, id);
        self.0.set(col::EXPORTED, true);
    }

    /// Binds a fresh artifact (a first-stage artifact restamped with a new version).
    pub fn set_artifact(&mut self, id: &str) {
        self.0.set(col::ARTIFACT, id);
    }

    pub fn exported(&self) -> bool {
        self.0.bool(col::EXPORTED)
    }

    /// The run deploys an artifact of an earlier run (a later stage, or a redeployment): its
    /// version is that artifact's.
    pub fn promoted(&self) -> bool {
        self.artifact_id().is_some() && !self.exported()
    }

    /// The version the maker chose (or the promoted artifact's), if any.
    pub fn version(&self) -> Option<&str> {
        self.text(col::VERSION)
    }

    pub fn set_version(&mut self, version: Value) {
        self.0.set(col::VERSION, version);
    }

    pub fn dev_current_version(&self) -> Option<&str> {
        self.0.str(col::DEV_VERSION)
    }

    pub fn set_dev_current_version(&mut self, version: &str) {
        self.0.set(col::DEV_VERSION, version);
    }

    pub fn is_redeployment(&self) -> bool {
        self.0.bool(col::REDEPLOYMENT)
    }

    /// The deployment settings text, unless blank.
    pub fn settings_json(&self) -> Option<&str> {
        self.0.str(col::SETTINGS).filter(|s| !s.trim().is_empty())
    }

    /// When a scheduled run starts.
    pub fn scheduled_ms(&self) -> Option<i64> {
        self.0.str(col::SCHEDULED).and_then(clock::text_to_ms)
    }

    pub fn end_ms(&self) -> Option<i64> {
        self.0.str(col::END).and_then(clock::text_to_ms)
    }

    pub fn set_validation_results(&mut self, results: &ValidationResults) {
        self.0.set(col::VALIDATION_RESULTS, results.to_column());
    }

    // --- progress and the host's own marks -------------------------------------------------

    /// Which phase failed, on a Failed run.
    pub fn failed_phase(&self) -> Option<Phase> {
        self.0.str(col::FAILED_PHASE).and_then(Phase::parse)
    }

    /// A run that failed while deploying: `RetryFailedDeploymentAsync` may take it up.
    pub fn retryable(&self) -> bool {
        self.status() == Some(StageRunStatus::Failed) && self.failed_phase() == Some(Phase::Deploy)
    }

    pub fn retry_count(&self) -> i64 {
        self.0.int(col::RETRIES).unwrap_or(0)
    }

    /// A retry: one more attempt, and the run no longer ended.
    pub fn begin_retry(&mut self) {
        self.0.set(col::RETRIES, self.retry_count() + 1);
        self.0.set(col::END, Value::Null);
    }

    /// The failure is behind the run (a retry or a new import starts).
    pub fn clear_failure(&mut self) {
        self.0.set(col::ERROR, Value::Null);
        self.0.data.remove(col::FAILED_PHASE);
    }

    /// The import starts now.
    pub fn start_deploying(&mut self) {
        self.0.set(col::START, clock::now_text());
        self.clear_failure();
        self.flag(col::IMPORT_STRETCHED, false);
    }

    pub fn deploy_requested(&self) -> bool {
        self.0.bool(col::DEPLOY_REQUESTED)
    }

    pub fn mark_deploy_requested(&mut self) {
        self.0.set(col::DEPLOY_REQUESTED, true);
    }

    /// `OnDeploymentRequested` fired for this run.
    pub fn requested(&self) -> bool {
        self.0.bool(col::REQUESTED)
    }

    pub fn mark_requested(&mut self) {
        self.0.set(col::REQUESTED, true);
    }

    pub fn regate(&self) -> bool {
        self.0.bool(col::REGATE)
    }

    pub fn set_regate(&mut self, on: bool) {
        self.flag(col::REGATE, on);
    }

    pub fn appid_gated(&self) -> bool {
        self.0.bool(col::APPID_GATED)
    }

    pub fn import_stretched(&self) -> bool {
        self.0.bool(col::IMPORT_STRETCHED)
    }

    pub fn mark_import_stretched(&mut self) {
        self.0.set(col::IMPORT_STRETCHED, true);
    }

    /// Who asked for the run: (upn, user id).
    pub fn requester(&self) -> Option<(&str, &str)> {
        Some((self.0.str(col::REQUESTER)?, self.0.str(col::REQUESTER_ID)?))
    }

    pub fn set_requester(&mut self, upn: &str, user_id: &str) {
        self.0.set(col::REQUESTER, upn);
        self.0.set(col::REQUESTER_ID, user_id);
    }

    // --- gates -----------------------------------------------------------------------------

    pub fn gate_status(&self, gate: Gate) -> Option<i64> {
        self.0.int(gate.columns().status)
    }

    /// The gate waits for an answer.
    pub fn open_gate(&mut self, gate: Gate) {
        let pending = match gate {
            Gate::Approval => ApprovalStatus::Pending.code(),
            Gate::PreExport | Gate::PreDeployment => GateStatus::Pending.code(),
        };
        self.0.set(gate.columns().status, pending);
    }

    /// Records an answer: its status, the comments shown to the maker, the admin-only properties.
    pub fn answer_gate(
        &mut self,
        gate: Gate,
        status: i64,
        comments: Option<&str>,
        properties: Option<&str>,
    ) {
        let cols = gate.columns();
        self.0.set(cols.status, status);
        if let Some(c) = comments {
            self.0.set(cols.comments, c);
            self.0.set(col::DETAILS, c);
        }
        if let (Some(col), Some(p)) = (cols.properties, properties) {
            self.0.set(col, p);
        }
    }

    // --- client columns (PATCH) ------------------------------------------------------------

    /// The current value of a client-writable column (PATCH compares against it).
    pub fn column(&self, key: &str) -> &Value {
        self.0.data.get(key).unwrap_or(&Value::Null)
    }

    /// Writes a client-writable column the PATCH rules accepted.
    pub fn set_column(&mut self, key: String, value: Value) {
        self.0.data.insert(key, value);
    }

    // --- saving ----------------------------------------------------------------------------

    /// Writes the run back without a status row (a change that is not a phase).
    pub fn update(&mut self, conn: &Connection) -> rusqlite::Result<()> {
        records::update(conn, HOST_SCOPE, RUNS, &mut self.0)
    }

    /// Writes the run back and appends a `deploymentstagerunstatus` row describing the phase.
    pub fn save(&mut self, conn: &Connection, details: &str) -> ApiResult<()> {
        self.update(conn)?;
        let sub = self.sub_operation();
        let data = json!({
            "_deploymentstagerunid_value": self.0.id,
            "name": sub.label(),
            "details": details,
            "errormessage": self.column(col::ERROR),
            "operation": self.column(col::OPERATION),
            "operationstatus": self.column(col::OPERATION_STATUS),
            "suboperation": sub.code(),
            "starttime": clock::now_text(),
            "retrycount": self.retry_count(),
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
}

/// A stored deployment stage, as the run's transitions read it.
#[derive(Debug, Clone)]
pub struct Stage(Record);

/// Hidden stage column: gate automation approves this stage's gates after so many ms (speed 1).
pub const AUTO_APPROVE: &str = "__autoapprove_ms";

impl Stage {
    pub fn get(conn: &Connection, id: &str) -> ApiResult<Self> {
        records::get(conn, HOST_SCOPE, "deploymentstages", id)?
            .map(Stage)
            .ok_or_else(|| ApiError::no_record("deploymentstage", id))
    }

    pub fn id(&self) -> &str {
        &self.0.id
    }

    pub fn name(&self) -> Option<&str> {
        self.0.str("name")
    }

    pub fn active(&self) -> bool {
        self.0.int("statecode") == Some(0)
    }

    pub fn pipeline_id(&self) -> &str {
        self.0
            .str("_deploymentpipelineid_value")
            .unwrap_or_default()
    }

    pub fn previous_stage_id(&self) -> Option<&str> {
        self.0.str("_previousdeploymentstageid_value")
    }

    pub fn target_registration_id(&self) -> &str {
        self.0
            .str("_targetdeploymentenvironmentid_value")
            .unwrap_or_default()
    }

    pub fn delegated(&self) -> bool {
        self.0.bool("isdelegateddeployment")
    }

    pub fn pre_export_required(&self) -> bool {
        self.0.bool("preexportsteprequired")
    }

    pub fn pre_deployment_required(&self) -> bool {
        self.0.bool("predeploymentsteprequired")
    }

    /// After how many ms (speed 1) gate automation answers, if it does.
    pub fn auto_approve_ms(&self) -> Option<i64> {
        self.0.int(AUTO_APPROVE).map(|ms| ms.max(0))
    }
}
