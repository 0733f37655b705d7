//! What operations return and emit. Every type here crosses the app's IPC boundary
//! unchanged (serde camelCase + `ts_rs::TS`) and is what `--json` prints.
//! Times are RFC 3339 UTC strings; ids are lower-case GUID strings.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::explain::Explanation;
use crate::signin::SignInMethod;

/// Where a profile's host is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ProfileKind {
    /// The built-in in-process local host with the demo tenant.
    LocalSandbox,
    /// A real (or separately run) pipelines host.
    Cloud,
}

/// A profile as shown to people (never a token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProfileInfo {
    /// The name typed on the command line (`ferry --profile NAME`).
    pub id: String,
    pub display_name: String,
    pub kind: ProfileKind,
    /// The pipelines host's org URL (for the sandbox: filled in once it runs).
    pub host_url: String,
    /// The development environment: its BAP id or its name.
    pub dev_environment: Option<String>,
    pub authority: String,
    pub tenant: Option<String>,
    pub client_id: String,
    /// Whether this is the profile in use.
    pub active: bool,
    /// The cloud (`public`, `gcc`, `usgovhigh`, `dod`, `china`, `local`), when known.
    pub cloud: Option<String>,
    /// The development environment's name for people, when known.
    pub dev_environment_name: Option<String>,
    /// The development environment's org URL, when known.
    pub dev_environment_url: Option<String>,
    /// How the pipelines host was found, in a sentence (`null`: given by hand).
    pub host_found: Option<String>,
    /// How the profile signs in: `deviceCode`, `browser` or `azureCli` (`null`: either
    /// of Ferry's own ways, chosen at sign-in).
    pub sign_in: Option<SignInMethod>,
}

/// What `profile add` needs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NewProfile {
    pub id: String,
    pub display_name: Option<String>,
    pub host_url: String,
    /// BAP id or name of the development environment.
    pub dev_environment: String,
    /// Identity authority (default: `https://login.microsoftonline.com/organizations`).
    pub authority: Option<String>,
    pub tenant: Option<String>,
    /// Public client id of the app registration sign-in will use.
    pub client_id: Option<String>,
    /// Accept a plain `http://` host (or authority) that is not this computer: a test
    /// host served with `ferry host serve --listen`. The bearer token then crosses the
    /// network unencrypted, so it is refused unless asked for here (and kept on the profile).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub allow_insecure_http: Option<bool>,
}

/// An unmanaged solution of the development environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SolutionSummary {
    pub id: String,
    pub unique_name: String,
    pub friendly_name: String,
    pub version: String,
    pub is_managed: bool,
}

/// A run, summarized (from the cache, which holds every run Ferry saw).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunSummary {
    pub id: String,
    pub solution: String,
    pub stage_id: String,
    pub stage_name: Option<String>,
    pub pipeline_name: Option<String>,
    pub target_name: Option<String>,
    /// `stagerunstatus` code.
    pub status: i32,
    /// The host's label for it (or Ferry's for a known code).
    pub status_label: String,
    /// The current sub-operation's label (Importing Solution, …).
    pub step: Option<String>,
    pub terminal: bool,
    pub version: Option<String>,
    pub dev_version: Option<String>,
    pub notes: Option<String>,
    pub error_message: Option<String>,
    pub created_on: Option<String>,
    pub created_by: Option<String>,
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    pub scheduled_time: Option<String>,
    /// Approval gate: 10 pending, 20 approved, 30 rejected.
    pub approval_status: Option<i32>,
    /// Pre-deployment step gate: 10 pending, 20 completed, 30 failed.
    pub pre_deployment_step_status: Option<i32>,
    /// The artifact (managed export) the run deploys, once the host made or chose it.
    pub artifact_id: Option<String>,
    /// The run deploys an older artifact again.
    pub is_redeployment: bool,
}

/// Whether a stage can take a solution now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Deployability {
    pub deployable: bool,
    /// Why not, or what will happen (a new export, a promotion of version V).
    pub reason: String,
    /// The version this stage would receive, when known (promotions).
    pub version: Option<String>,
}

/// A stage of a pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StageOverview {
    pub id: String,
    pub name: String,
    pub previous_stage_id: Option<String>,
    pub target_name: Option<String>,
    /// The target's BAP environment id.
    pub target_environment_id: Option<String>,
    /// An approval (delegated deployment) is required.
    pub delegated: bool,
    /// A pre-deployment step (gate) is required.
    pub pre_deployment_step: bool,
    /// The pipeline lets an older artifact be deployed to this stage again.
    pub enable_redeployment: bool,
    /// For the solution asked about; `None` when no solution was given.
    pub deployability: Option<Deployability>,
    /// The solution's latest run in this stage.
    pub latest_run: Option<RunSummary>,
}

/// A pipeline offered to the development environment, stages in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PipelineOverview {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    /// Older artifacts may be deployed again (`enableredeployment`).
    pub enable_redeployment: bool,
    pub stages: Vec<StageOverview>,
}

/// A successful run of a stage whose artifact can be deployed there again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RedeployCandidate {
    /// The run to name in [`PlanRequest::redeploy_of`].
    pub run_id: String,
    pub solution: String,
    pub stage_id: String,
    pub version: Option<String>,
    pub artifact_id: String,
    /// When its deployment finished.
    pub deployed_on: Option<String>,
    /// The stage has this one now (its newest successful run).
    pub current: bool,
}

/// Where a value in a plan came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ValueSource {
    /// Given with the request.
    Given,
    /// From an imported deployment settings file.
    SettingsFile,
    /// Last used for this solution in this stage.
    StageProfile,
    /// Nothing yet.
    Missing,
}

/// An environment variable the deployment may set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlannedVariable {
    pub schema_name: String,
    pub display_name: String,
    /// String, Number, Boolean, JSON, Data source or Secret.
    pub kind: String,
    pub default_value: Option<String>,
    /// The value to send; `None` keeps the target's (or the default).
    pub value: Option<String>,
    pub source: ValueSource,
}

/// A connection available in the target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionChoice {
    pub id: String,
    pub display_name: String,
    /// Connector name (`shared_office365`).
    pub connector: String,
    pub status: Option<String>,
}

/// A connection reference the deployment must bind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlannedConnection {
    pub logical_name: String,
    pub display_name: String,
    pub connector_id: String,
    pub connection_id: Option<String>,
    pub source: ValueSource,
    /// The target's connections of the same connector.
    pub choices: Vec<ConnectionChoice>,
}

/// How bad a local check's finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum CheckSeverity {
    Error,
    Warning,
    Info,
}

/// A local check's finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Check {
    pub severity: CheckSeverity,
    /// The variable or connection reference it is about, if any.
    pub subject: Option<String>,
    pub message: String,
}

/// A deployment, planned: what will be sent, and whether it can be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub solution: SolutionSummary,
    pub pipeline_id: String,
    pub pipeline_name: String,
    pub stage: StageOverview,
    /// The solution's version in dev now.
    pub dev_version: String,
    /// The version the stage has now (its latest successful run), if any.
    pub stage_version: Option<String>,
    /// The version installed in the target now, if any.
    pub target_version: Option<String>,
    /// The version this deployment will carry.
    pub version: String,
    /// The stage promotes the previous stage's artifact (the version is fixed).
    pub promotes: bool,
    /// The earlier run whose artifact this deployment puts back (the version is fixed).
    pub redeploy: Option<RedeployCandidate>,
    pub environment_variables: Vec<PlannedVariable>,
    pub connection_references: Vec<PlannedConnection>,
    pub checks: Vec<Check>,
    /// No check is an error and the stage is deployable.
    pub ready: bool,
}

/// Values for a deployment, given directly (the app's form).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentValues {
    pub environment_variables: Vec<VariableValue>,
    pub connection_references: Vec<ConnectionValue>,
}

/// One environment variable value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct VariableValue {
    pub schema_name: String,
    pub value: String,
}

/// One connection reference binding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionValue {
    pub logical_name: String,
    pub connection_id: String,
}

/// What to plan (and validate).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlanRequest {
    /// The solution's unique name.
    pub solution: String,
    /// A stage name (case-insensitive) or id.
    pub stage: String,
    /// The text of a deployment settings file (pac format), if one was imported.
    pub settings_json: Option<String>,
    /// Values typed by the maker; they win over the file and the stage profile.
    pub values: Option<DeploymentValues>,
    /// A version instead of the proposed one.
    pub version: Option<String>,
    /// Deploy the artifact of this earlier successful run of the stage again
    /// (the pipeline must allow redeployment); the version is that artifact's.
    pub redeploy_of: Option<String>,
}

/// What to deploy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeployRequest {
    #[serde(flatten)]
    pub plan: PlanRequest,
    pub notes: Option<String>,
    /// Deploy later, at this RFC 3339 time; `None` deploys now.
    pub scheduled_time: Option<String>,
    /// Reuse this already validated run instead of creating one.
    pub run_id: Option<String>,
    /// Follow the run to its end before returning.
    pub wait: bool,
}

/// The kind of a run event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum RunEventKind {
    Requested,
    Validating,
    Validated,
    WaitingOnGate,
    Scheduled,
    Deploying,
    Importing,
    Publishing,
    Succeeded,
    Failed,
    Canceled,
}

impl RunEventKind {
    /// Whether the run ended.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed | Self::Canceled)
    }
}

/// A gate a run waits on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Gate {
    /// An approver (delegated deployment).
    Approval,
    /// The pre-deployment step (often a flow).
    PreDeploymentStep,
    /// The pre-export step.
    PreExportStep,
}

impl Gate {
    /// The gate's name for people.
    pub fn label(self) -> &'static str {
        match self {
            Gate::Approval => "approval",
            Gate::PreDeploymentStep => "the pre-deployment step",
            Gate::PreExportStep => "the pre-export step",
        }
    }
}

/// One transition of a run, as watched. Every one is also in the cache's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunEvent {
    pub run_id: String,
    pub kind: RunEventKind,
    /// When it happened (the host's `modifiedon`, else when Ferry saw it).
    pub at: String,
    /// For `waitingOnGate`.
    pub gate: Option<Gate>,
    /// For `waitingOnGate`: since when.
    pub since: Option<String>,
    /// For `scheduled`: when it will deploy.
    pub scheduled_for: Option<String>,
    /// For `waitingOnGate`: who can act on the gate, as a sentence.
    pub who_can_act: Option<String>,
    /// A sentence for people.
    pub message: String,
    /// For `failed`: what went wrong and what to do.
    pub explanations: Vec<Explanation>,
    /// The run after the transition.
    pub run: RunSummary,
}

/// The end of a validate or deploy operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunOutcome {
    pub run: RunSummary,
    /// Validation warnings and errors, explained.
    pub explanations: Vec<Explanation>,
    /// The plan that was deployed (absent for watch/retry).
    pub plan: Option<Plan>,
}

/// One entry of a run's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TimelineItem {
    pub at: String,
    pub observed_at: String,
    pub status: i32,
    pub status_label: String,
    pub step: Option<String>,
    pub detail: Option<String>,
}

/// Filters for history (all optional).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HistoryFilter {
    pub text: Option<String>,
    pub solution: Option<String>,
    /// Stage name or id.
    pub stage: Option<String>,
    /// Status names (`succeeded`, `failed`, `canceled`, `running`, …) or codes.
    pub statuses: Vec<String>,
    /// Only runs created at or after this instant (RFC 3339).
    pub created_from: Option<String>,
    /// Only runs created before this instant (RFC 3339).
    pub created_before: Option<String>,
    pub limit: u32,
    pub offset: u32,
}

/// A page of history, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HistoryResult {
    pub runs: Vec<RunSummary>,
    pub next_offset: Option<u32>,
}

/// What a window shows first, read in one go when it opens so its page has it before
/// its script asks (the desktop app hands it to the page with its first script).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StartReads {
    pub profiles: Vec<ProfileInfo>,
    /// The newest page of history, unfiltered, and the filter that read it: only for a
    /// window that opens on History.
    pub history: Option<StartHistory>,
}

/// The history a window opening on History shows first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StartHistory {
    pub filter: HistoryFilter,
    pub page: HistoryResult,
    pub choices: HistoryChoices,
}

/// What the history can be filtered by: the solutions and stage names it holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HistoryChoices {
    pub solutions: Vec<String>,
    pub stages: Vec<String>,
}

/// What a history sync did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncReport {
    /// Runs read from the host.
    pub fetched: u32,
    /// Runs new to the cache.
    pub inserted: u32,
    /// Transitions appended to timelines.
    pub transitions: u32,
}

/// How a target differs from what Ferry deployed there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Drift {
    /// The target has the version the stage last deployed.
    InSync,
    /// Never deployed through this stage and not in the target.
    NotDeployed,
    /// The target has another version than the stage deployed.
    VersionDiffers,
    /// The stage deployed it, but the target no longer has it.
    MissingInTarget,
    /// The target has it without a deployment through this stage, and no pipeline Ferry
    /// knows installed that version there.
    InstalledOutsidePipeline,
    /// Another pipeline (or another stage) installed what the target has: not drift.
    /// `installedBy` names it.
    OtherPipeline,
    /// The target has an unmanaged copy.
    Unmanaged,
    /// The target could not be read (offline).
    Unknown,
}

/// One solution in one stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MatrixCell {
    pub stage_id: String,
    /// The version last deployed through the stage.
    pub version: Option<String>,
    pub deployed_on: Option<String>,
    pub deployed_by: Option<String>,
    pub run_id: Option<String>,
    /// The version installed in the target now.
    pub installed_version: Option<String>,
    pub drift: Drift,
    /// With [`Drift::OtherPipeline`]: the pipeline and stage ("Pipeline / Stage") whose
    /// run installed the target's version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub installed_by: Option<String>,
}

/// A column of the matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MatrixStage {
    pub pipeline_name: String,
    pub stage_id: String,
    pub stage_name: String,
    pub target_name: Option<String>,
}

/// A row of the matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MatrixRow {
    pub solution: String,
    pub dev_version: Option<String>,
    pub cells: Vec<MatrixCell>,
}

/// Solutions × stages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Matrix {
    pub stages: Vec<MatrixStage>,
    pub rows: Vec<MatrixRow>,
    /// False when the host could not be reached and the matrix comes from the cache.
    pub online: bool,
}

/// Export formats of a run record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ExportFormat {
    Markdown,
    Json,
}

/// A run record: everything about one run, secrets redacted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunRecord {
    pub run: RunSummary,
    /// The deployment settings that were sent, with Secret values redacted.
    #[ts(type = "unknown")]
    pub settings: Option<serde_json::Value>,
    pub explanations: Vec<Explanation>,
    pub timeline: Vec<TimelineItem>,
}

/// Where an engine is connected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionInfo {
    pub profile_id: String,
    /// The pipelines host's URL (for the sandbox: its loopback address this time).
    pub host_url: String,
    pub dev_environment_id: String,
    pub dev_environment_name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipc_types_are_camel_case_in_json_and_typescript() {
        let cfg = ts_rs::Config::default();
        let decl = RunEvent::decl(&cfg);
        assert!(decl.contains("runId: string"), "{decl}");
        assert!(decl.contains("scheduledFor: string | null"), "{decl}");
        assert!(RunEventKind::decl(&cfg).contains("\"waitingOnGate\""));
        let req: DeployRequest = serde_json::from_value(serde_json::json!({
            "solution": "S", "stage": "Test", "settingsJson": null, "values": null,
            "version": null, "notes": "n", "scheduledTime": null, "runId": null, "wait": true
        }))
        .unwrap();
        assert_eq!((req.plan.stage.as_str(), req.wait), ("Test", true));
        let decl = DeployRequest::decl(&cfg);
        assert!(
            decl.contains("solution: string") && decl.contains("wait: boolean"),
            "{decl}"
        );
    }
}

/// How to sign in to a cloud: the app's "Sign in to Power Platform", the CLI's
/// `ferry login --environment`, or a connection file an admin hands out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CloudSignIn {
    /// `public`, `gcc`, `usgovhigh`, `dod`, `china` or `local` (`null`: from the
    /// environment's URL, else `public`).
    pub cloud: Option<String>,
    /// Tenant id or domain (`null`: the account's home tenant).
    pub tenant: Option<String>,
    /// The app registration's application (client) id (`null`: the one Ferry was built with).
    pub client_id: Option<String>,
    pub method: SignInMethod,
    /// The development environment, by URL or name, when already known (the local
    /// cloud needs its URL: its host serves the cloud's endpoint table).
    pub environment: Option<String>,
    /// A PEM file of CA certificates to trust besides the system's (a TLS-inspecting
    /// proxy's own CA).
    pub ca_file: Option<String>,
    /// Accept a plain `http://` environment off this computer: Ferry's own test host served
    /// with `ferry host serve --listen`. The bearer token then crosses the network
    /// unencrypted, so it is refused unless asked for here (and kept on the profiles made).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub allow_insecure_http: Option<bool>,
}

/// An environment the signed-in account can reach (Global Discovery, spec §14.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentInfo {
    /// Its friendly name.
    pub name: String,
    pub unique_name: String,
    /// Its org URL.
    pub url: String,
    /// The Power Platform (BAP) environment id.
    pub environment_id: String,
    /// The Dataverse organization id (not the BAP id).
    pub organization_id: String,
    pub region: Option<String>,
    /// Whether it is the development environment of the profile in use.
    pub current: bool,
}

/// What removing a profile removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RemovedProfile {
    pub id: String,
    /// Whether its sign-in left the keyring (kept while another profile shares it).
    pub tokens_deleted: bool,
    /// Its cached history went with it: how many runs.
    #[ts(type = "number")]
    pub runs_deleted: u64,
    /// The profile in use now.
    pub active: String,
}
