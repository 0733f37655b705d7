// Generated from crates/ops by `UPDATE_BINDINGS=1 cargo test -p ferry-ipc`. Do not edit.

export type ProfileKind = "localSandbox" | "cloud";

export type ProfileInfo = { 
/**
 * The name typed on the command line (`ferry --profile NAME`).
 */
id: string, displayName: string, kind: ProfileKind, 
/**
 * The pipelines host's org URL (for the sandbox: filled in once it runs).
 */
hostUrl: string, 
/**
 * The development environment: its BAP id or its name.
 */
devEnvironment: string | null, authority: string, tenant: string | null, clientId: string, 
/**
 * Whether this is the profile in use.
 */
active: boolean, };

export type NewProfile = { id: string, displayName: string | null, hostUrl: string, 
/**
 * BAP id or name of the development environment.
 */
devEnvironment: string, 
/**
 * Identity authority (default: `https://login.microsoftonline.com/organizations`).
 */
authority: string | null, tenant: string | null, 
/**
 * Public client id of the app registration sign-in will use.
 */
clientId: string | null, };

export type ConnectionInfo = { profileId: string, 
/**
 * The pipelines host's URL (for the sandbox: its loopback address this time).
 */
hostUrl: string, devEnvironmentId: string, devEnvironmentName: string, };

export type HostStatus = { profile: ProfileInfo, 
/**
 * The host answered just now.
 */
online: boolean, 
/**
 * The host's URL (for the sandbox: its loopback address this time), once connected.
 */
hostUrl: string | null, devEnvironmentName: string | null, 
/**
 * The signed-in user's name, when the host tells.
 */
account: string | null, 
/**
 * Why the host could not be used, in a sentence that says what to do.
 */
problem: string | null, 
/**
 * The IPC error code of the problem (`offline`, `unauthorized`, …).
 */
problemCode: string | null, };

export type CacheInfo = { 
/**
 * The cache file.
 */
path: string, 
/**
 * The data folder it is in.
 */
dataDir: string, 
/**
 * Bytes on disk, the write-ahead log included.
 */
bytes: number, };

export type SolutionSummary = { id: string, uniqueName: string, friendlyName: string, version: string, isManaged: boolean, };

export type RunSummary = { id: string, solution: string, stageId: string, stageName: string | null, pipelineName: string | null, targetName: string | null, 
/**
 * `stagerunstatus` code.
 */
status: number, 
/**
 * The host's label for it (or Ferry's for a known code).
 */
statusLabel: string, 
/**
 * The current sub-operation's label (Importing Solution, …).
 */
step: string | null, terminal: boolean, version: string | null, devVersion: string | null, notes: string | null, errorMessage: string | null, createdOn: string | null, createdBy: string | null, startTime: string | null, endTime: string | null, scheduledTime: string | null, 
/**
 * Approval gate: 10 pending, 20 approved, 30 rejected.
 */
approvalStatus: number | null, 
/**
 * Pre-deployment step gate: 10 pending, 20 completed, 30 failed.
 */
preDeploymentStepStatus: number | null, 
/**
 * The artifact (managed export) the run deploys, once the host made or chose it.
 */
artifactId: string | null, 
/**
 * The run deploys an older artifact again.
 */
isRedeployment: boolean, };

export type Deployability = { deployable: boolean, 
/**
 * Why not, or what will happen (a new export, a promotion of version V).
 */
reason: string, 
/**
 * The version this stage would receive, when known (promotions).
 */
version: string | null, };

export type StageOverview = { id: string, name: string, previousStageId: string | null, targetName: string | null, 
/**
 * The target's BAP environment id.
 */
targetEnvironmentId: string | null, 
/**
 * An approval (delegated deployment) is required.
 */
delegated: boolean, 
/**
 * A pre-deployment step (gate) is required.
 */
preDeploymentStep: boolean, 
/**
 * The pipeline lets an older artifact be deployed to this stage again.
 */
enableRedeployment: boolean, 
/**
 * For the solution asked about; `None` when no solution was given.
 */
deployability: Deployability | null, 
/**
 * The solution's latest run in this stage.
 */
latestRun: RunSummary | null, };

export type PipelineOverview = { id: string, name: string, description: string | null, 
/**
 * Older artifacts may be deployed again (`enableredeployment`).
 */
enableRedeployment: boolean, stages: Array<StageOverview>, };

export type RedeployCandidate = { 
/**
 * The run to name in [`PlanRequest::redeploy_of`].
 */
runId: string, solution: string, stageId: string, version: string | null, artifactId: string, 
/**
 * When its deployment finished.
 */
deployedOn: string | null, 
/**
 * The stage has this one now (its newest successful run).
 */
current: boolean, };

export type ValueSource = "given" | "settingsFile" | "stageProfile" | "missing";

export type PlannedVariable = { schemaName: string, displayName: string, 
/**
 * String, Number, Boolean, JSON, Data source or Secret.
 */
kind: string, defaultValue: string | null, 
/**
 * The value to send; `None` keeps the target's (or the default).
 */
value: string | null, source: ValueSource, };

export type ConnectionChoice = { id: string, displayName: string, 
/**
 * Connector name (`shared_office365`).
 */
connector: string, status: string | null, };

export type PlannedConnection = { logicalName: string, displayName: string, connectorId: string, connectionId: string | null, source: ValueSource, 
/**
 * The target's connections of the same connector.
 */
choices: Array<ConnectionChoice>, };

export type CheckSeverity = "error" | "warning" | "info";

export type Check = { severity: CheckSeverity, 
/**
 * The variable or connection reference it is about, if any.
 */
subject: string | null, message: string, };

export type Plan = { solution: SolutionSummary, pipelineId: string, pipelineName: string, stage: StageOverview, 
/**
 * The solution's version in dev now.
 */
devVersion: string, 
/**
 * The version the stage has now (its latest successful run), if any.
 */
stageVersion: string | null, 
/**
 * The version installed in the target now, if any.
 */
targetVersion: string | null, 
/**
 * The version this deployment will carry.
 */
version: string, 
/**
 * The stage promotes the previous stage's artifact (the version is fixed).
 */
promotes: boolean, 
/**
 * The earlier run whose artifact this deployment puts back (the version is fixed).
 */
redeploy: RedeployCandidate | null, environmentVariables: Array<PlannedVariable>, connectionReferences: Array<PlannedConnection>, checks: Array<Check>, 
/**
 * No check is an error and the stage is deployable.
 */
ready: boolean, };

export type DeploymentValues = { environmentVariables: Array<VariableValue>, connectionReferences: Array<ConnectionValue>, };

export type VariableValue = { schemaName: string, value: string, };

export type ConnectionValue = { logicalName: string, connectionId: string, };

export type PlanRequest = { 
/**
 * The solution's unique name.
 */
solution: string, 
/**
 * A stage name (case-insensitive) or id.
 */
stage: string, 
/**
 * The text of a deployment settings file (pac format), if one was imported.
 */
settingsJson: string | null, 
/**
 * Values typed by the maker; they win over the file and the stage profile.
 */
values: DeploymentValues | null, 
/**
 * A version instead of the proposed one.
 */
version: string | null, 
/**
 * Deploy the artifact of this earlier successful run of the stage again
 * (the pipeline must allow redeployment); the version is that artifact's.
 */
redeployOf: string | null, };

export type DeployRequest = { notes: string | null, 
/**
 * Deploy later, at this RFC 3339 time; `None` deploys now.
 */
scheduledTime: string | null, 
/**
 * Reuse this already validated run instead of creating one.
 */
runId: string | null, 
/**
 * Follow the run to its end before returning.
 */
wait: boolean, 
/**
 * The solution's unique name.
 */
solution: string, 
/**
 * A stage name (case-insensitive) or id.
 */
stage: string, 
/**
 * The text of a deployment settings file (pac format), if one was imported.
 */
settingsJson: string | null, 
/**
 * Values typed by the maker; they win over the file and the stage profile.
 */
values: DeploymentValues | null, 
/**
 * A version instead of the proposed one.
 */
version: string | null, 
/**
 * Deploy the artifact of this earlier successful run of the stage again
 * (the pipeline must allow redeployment); the version is that artifact's.
 */
redeployOf: string | null, };

export type RunEventKind = "requested" | "validating" | "validated" | "waitingOnGate" | "scheduled" | "deploying" | "importing" | "publishing" | "succeeded" | "failed" | "canceled";

export type Gate = "approval" | "preDeploymentStep" | "preExportStep";

export type Explanation = { 
/**
 * The rule's stable id (`missing-dependencies`, `throttled`, …), or `unknown`.
 */
id: string, 
/**
 * The Dataverse code in hex (`0x8004801D`), when there was one.
 */
code: string | null, 
/**
 * A short title.
 */
title: string, 
/**
 * What caused it.
 */
cause: string, 
/**
 * What to do next.
 */
nextStep: string, 
/**
 * Particulars (the required solutions, the host's own message).
 */
details: Array<string>, };

export type RunEvent = { runId: string, kind: RunEventKind, 
/**
 * When it happened (the host's `modifiedon`, else when Ferry saw it).
 */
at: string, 
/**
 * For `waitingOnGate`.
 */
gate: Gate | null, 
/**
 * For `waitingOnGate`: since when.
 */
since: string | null, 
/**
 * For `scheduled`: when it will deploy.
 */
scheduledFor: string | null, 
/**
 * For `waitingOnGate`: who can act on the gate, as a sentence.
 */
whoCanAct: string | null, 
/**
 * A sentence for people.
 */
message: string, 
/**
 * For `failed`: what went wrong and what to do.
 */
explanations: Array<Explanation>, 
/**
 * The run after the transition.
 */
run: RunSummary, };

export type RunOutcome = { run: RunSummary, 
/**
 * Validation warnings and errors, explained.
 */
explanations: Array<Explanation>, 
/**
 * The plan that was deployed (absent for watch/retry).
 */
plan: Plan | null, };

export type TimelineItem = { at: string, observedAt: string, status: number, statusLabel: string, step: string | null, detail: string | null, };

export type HistoryFilter = { text: string | null, solution: string | null, 
/**
 * Stage name or id.
 */
stage: string | null, 
/**
 * Status names (`succeeded`, `failed`, `canceled`, `running`, …) or codes.
 */
statuses: Array<string>, 
/**
 * Only runs created at or after this instant (RFC 3339).
 */
createdFrom: string | null, 
/**
 * Only runs created before this instant (RFC 3339).
 */
createdBefore: string | null, limit: number, offset: number, };

export type HistoryResult = { runs: Array<RunSummary>, nextOffset: number | null, };

export type HistoryChoices = { solutions: Array<string>, stages: Array<string>, };

export type StartReads = { profiles: Array<ProfileInfo>, 
/**
 * The newest page of history, unfiltered, and the filter that read it: only for a
 * window that opens on History.
 */
history: StartHistory | null, };

export type StartHistory = { filter: HistoryFilter, page: HistoryResult, choices: HistoryChoices, };

export type SyncReport = { 
/**
 * Runs read from the host.
 */
fetched: number, 
/**
 * Runs new to the cache.
 */
inserted: number, 
/**
 * Transitions appended to timelines.
 */
transitions: number, };

export type Drift = "inSync" | "notDeployed" | "versionDiffers" | "missingInTarget" | "installedOutsidePipeline" | "unmanaged" | "unknown";

export type MatrixCell = { stageId: string, 
/**
 * The version last deployed through the stage.
 */
version: string | null, deployedOn: string | null, deployedBy: string | null, runId: string | null, 
/**
 * The version installed in the target now.
 */
installedVersion: string | null, drift: Drift, };

export type MatrixStage = { pipelineName: string, stageId: string, stageName: string, targetName: string | null, };

export type MatrixRow = { solution: string, devVersion: string | null, cells: Array<MatrixCell>, };

export type Matrix = { stages: Array<MatrixStage>, rows: Array<MatrixRow>, 
/**
 * False when the host could not be reached and the matrix comes from the cache.
 */
online: boolean, };

export type ExportFormat = "markdown" | "json";

export type RunRecord = { run: RunSummary, 
/**
 * The deployment settings that were sent, with Secret values redacted.
 */
settings: unknown, explanations: Array<Explanation>, timeline: Array<TimelineItem>, };

export type SignInMethod = "deviceCode" | "browser";

export type DeviceCodePrompt = { userCode: string, verificationUri: string, message: string, expiresInSeconds: number, };

export type SignInEvent = { "kind": "deviceCode", userCode: string, verificationUri: string, message: string, expiresInSeconds: number, } | { "kind": "browser", url: string, };

export type AccountInfo = { profileId: string, 
/**
 * The user principal name.
 */
account: string, 
/**
 * When the current access token expires (RFC 3339), if known.
 */
expiresAt: string | null, };
