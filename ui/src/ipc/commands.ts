// Generated from crates/ipc (src/registry.rs and the types it names) by
// `UPDATE_BINDINGS=1 cargo test -p ferry-ipc`. Do not edit.
//
// The one UI module that talks to Tauri: every command of the app as a typed
// function, with the types it carries. Everything else imports from ./index.
import { Channel, invoke } from "@tauri-apps/api/core";
import { toFerryError } from "./errors";

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (raw) {
    throw toFerryError(raw);
  }
}

function channel<T>(onMessage: (message: T) => void): Channel<T> {
  const c = new Channel<T>();
  c.onmessage = onMessage;
  return c;
}

// Types

export type AccountInfo = { profileId: string, 
/**
 * The user principal name.
 */
account: string, 
/**
 * When the current access token expires (RFC 3339), if known.
 */
expiresAt: string | null, };

export type AppInfo = { name: string, version: string, 
/**
 * Where Ferry keeps its cache and settings on this machine.
 */
dataDir: string, 
/**
 * The folder of the app's log files (inside the data folder).
 */
logsDir: string, 
/**
 * `linux`, `macos` or `windows`.
 */
os: string, };

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

export type Check = { severity: CheckSeverity, 
/**
 * The variable or connection reference it is about, if any.
 */
subject: string | null, message: string, };

export type CheckSeverity = "error" | "warning" | "info";

export type CloudSignIn = { 
/**
 * `public`, `gcc`, `usgovhigh`, `dod`, `china` or `local` (`null`: from the
 * environment's URL, else `public`).
 */
cloud: string | null, 
/**
 * Tenant id or domain (`null`: the account's home tenant).
 */
tenant: string | null, 
/**
 * The app registration's application (client) id (`null`: the one Ferry was built with).
 */
clientId: string | null, method: SignInMethod, 
/**
 * The development environment, by URL or name, when already known (the local
 * cloud needs its URL: its host serves the cloud's endpoint table).
 */
environment: string | null, 
/**
 * A PEM file of CA certificates to trust besides the system's (a TLS-inspecting
 * proxy's own CA).
 */
caFile: string | null, 
/**
 * Accept a plain `http://` environment off this computer: Ferry's own test host served
 * with `ferry host serve --listen`. The bearer token then crosses the network
 * unencrypted, so it is refused unless asked for here (and kept on the profiles made).
 */
allowInsecureHttp?: boolean, };

export type CodedError = { code: ErrorCode, message: string, };

export type ConnectionChoice = { id: string, displayName: string, 
/**
 * Connector name (`shared_office365`).
 */
connector: string, status: string | null, };

export type ConnectionOffer = { 
/**
 * The name the admin gave it.
 */
name: string | null, signIn: CloudSignIn, };

export type ConnectionValue = { logicalName: string, connectionId: string, };

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

export type Deployability = { deployable: boolean, 
/**
 * Why not, or what will happen (a new export, a promotion of version V).
 */
reason: string, 
/**
 * The version this stage would receive, when known (promotions).
 */
version: string | null, };

export type DeploymentValues = { environmentVariables: Array<VariableValue>, connectionReferences: Array<ConnectionValue>, };

export type Drift = "inSync" | "notDeployed" | "versionDiffers" | "missingInTarget" | "installedOutsidePipeline" | "otherPipeline" | "unmanaged" | "unknown";

export type EnvironmentInfo = { 
/**
 * Its friendly name.
 */
name: string, uniqueName: string, 
/**
 * Its org URL.
 */
url: string, 
/**
 * The Power Platform (BAP) environment id.
 */
environmentId: string, 
/**
 * The Dataverse organization id (not the BAP id).
 */
organizationId: string, region: string | null, 
/**
 * Whether it is the development environment of the profile in use.
 */
current: boolean, };

export type ErrorCode = "internal" | "invalid_input" | "not_found" | "offline" | "unauthorized" | "host" | "cache" | "io" | "interrupted" | "not_set_up" | "empty_file" | "not_a_solution" | "unsupported_yaml_format" | "corrupt_zip" | "unsafe_entry_name" | "too_large" | "suspicious_compression" | "xml_doctype" | "invalid_xml" | "invalid_encoding" | "invalid_json" | "invalid_manifest" | "already_exists";

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

export type ExportFormat = "markdown" | "json";

export type Gate = "approval" | "preDeploymentStep" | "preExportStep";

export type HistoryChoices = { solutions: Array<string>, stages: Array<string>, };

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
 * The problem's code (`offline`, `unauthorized`, …).
 */
problemCode: ErrorCode | null, };

export type ImportedSettings = { 
/**
 * Variables it gave a value.
 */
variables: number, 
/**
 * Connection references it bound.
 */
connections: number, 
/**
 * Its entries this solution does not have (left out).
 */
ignored: Array<string>, };

export type Matrix = { stages: Array<MatrixStage>, rows: Array<MatrixRow>, 
/**
 * False when the host could not be reached and the matrix comes from the cache.
 */
online: boolean, };

export type MatrixCell = { stageId: string, 
/**
 * The version last deployed through the stage.
 */
version: string | null, deployedOn: string | null, deployedBy: string | null, runId: string | null, 
/**
 * The version installed in the target now.
 */
installedVersion: string | null, drift: Drift, 
/**
 * With [`Drift::OtherPipeline`]: the pipeline and stage ("Pipeline / Stage") whose
 * run installed the target's version.
 */
installedBy?: string, };

export type MatrixRow = { solution: string, devVersion: string | null, cells: Array<MatrixCell>, };

export type MatrixStage = { pipelineName: string, stageId: string, stageName: string, targetName: string | null, };

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
clientId: string | null, 
/**
 * Accept a plain `http://` host (or authority) that is not this computer: a test
 * host served with `ferry host serve --listen`. The bearer token then crosses the
 * network unencrypted, so it is refused unless asked for here (and kept on the profile).
 */
allowInsecureHttp?: boolean, };

export type PipelineOverview = { id: string, name: string, description: string | null, 
/**
 * Older artifacts may be deployed again (`enableredeployment`).
 */
enableRedeployment: boolean, stages: Array<StageOverview>, };

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

export type PlannedConnection = { logicalName: string, displayName: string, connectorId: string, connectionId: string | null, source: ValueSource, 
/**
 * The target's connections of the same connector.
 */
choices: Array<ConnectionChoice>, };

export type PlannedVariable = { schemaName: string, displayName: string, 
/**
 * String, Number, Boolean, JSON, Data source or Secret.
 */
kind: string, defaultValue: string | null, 
/**
 * The value to send; `None` keeps the target's (or the default).
 */
value: string | null, source: ValueSource, };

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
active: boolean, 
/**
 * The cloud (`public`, `gcc`, `usgovhigh`, `dod`, `china`, `local`), when known.
 */
cloud: string | null, 
/**
 * The development environment's name for people, when known.
 */
devEnvironmentName: string | null, 
/**
 * The development environment's org URL, when known.
 */
devEnvironmentUrl: string | null, 
/**
 * How the pipelines host was found, in a sentence (`null`: given by hand).
 */
hostFound: string | null, 
/**
 * How the profile signs in: `deviceCode`, `browser` or `azureCli` (`null`: either
 * of Ferry's own ways, chosen at sign-in).
 */
signIn: SignInMethod | null, };

export type ProfileKind = "localSandbox" | "cloud";

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

export type RemovedProfile = { id: string, 
/**
 * Whether its sign-in left the keyring (kept while another profile shares it).
 */
tokensDeleted: boolean, 
/**
 * Its cached history went with it: how many runs.
 */
runsDeleted: number, 
/**
 * The profile in use now.
 */
active: string, };

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

export type RunEventKind = "requested" | "validating" | "validated" | "waitingOnGate" | "scheduled" | "deploying" | "importing" | "publishing" | "succeeded" | "failed" | "canceled";

export type RunOutcome = { run: RunSummary, 
/**
 * Validation warnings and errors, explained.
 */
explanations: Array<Explanation>, 
/**
 * The plan that was deployed (absent for watch/retry).
 */
plan: Plan | null, };

export type RunRecord = { run: RunSummary, 
/**
 * The deployment settings that were sent, with Secret values redacted.
 */
settings: unknown, explanations: Array<Explanation>, timeline: Array<TimelineItem>, };

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

export type SignInEvent = { "kind": "deviceCode", userCode: string, verificationUri: string, message: string, expiresInSeconds: number, } | { "kind": "browser", url: string, };

export type SignInMethod = "deviceCode" | "browser" | "azureCli";

export type SolutionSummary = { id: string, uniqueName: string, friendlyName: string, version: string, isManaged: boolean, };

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

export type StartHistory = { filter: HistoryFilter, page: HistoryResult, choices: HistoryChoices, };

export type StartReads = { profiles: Array<ProfileInfo>, 
/**
 * The newest page of history, unfiltered, and the filter that read it: only for a
 * window that opens on History.
 */
history: StartHistory | null, };

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

export type TimelineItem = { at: string, observedAt: string, status: number, statusLabel: string, step: string | null, detail: string | null, };

export type ValueSource = "given" | "settingsFile" | "stageProfile" | "missing";

export type ValuesCheck = { 
/**
 * The values checked: the request's, with the settings file's read in.
 */
values: DeploymentValues, 
/**
 * One finding per variable or connection reference that has something to say
 * (`subject` names it), and the settings file's entries this solution lacks.
 */
checks: Array<Check>, 
/**
 * No check is an error: the values can be deployed.
 */
ready: boolean, 
/**
 * The `pac` deployment settings file of these values (what the deployment sends).
 */
settingsJson: string, 
/**
 * What the settings file brought, when one was read.
 */
imported: ImportedSettings | null, };

export type ValuesRequest = { 
/**
 * The plan the values are for: its variables (types, defaults), its connection
 * references and the target's connections.
 */
plan: Plan, 
/**
 * The values as the maker has them now; an empty one is left out of the deployment.
 */
values: DeploymentValues, 
/**
 * The text of a `pac` deployment settings file to read in: its values win over
 * `values`; entries it leaves empty keep the maker's.
 */
settingsJson: string | null, };

export type VariableValue = { schemaName: string, value: string, };

/** Every error code, as Rust declares them (crates/error). */
export const ERROR_CODES: readonly ErrorCode[] = ["internal", "invalid_input", "not_found", "offline", "unauthorized", "host", "cache", "io", "interrupted", "not_set_up", "empty_file", "not_a_solution", "unsupported_yaml_format", "corrupt_zip", "unsafe_entry_name", "too_large", "suspicious_compression", "xml_doctype", "invalid_xml", "invalid_encoding", "invalid_json", "invalid_manifest", "already_exists"];

// Commands

/** The app's name, version and data folder. */
export const appInfo = (): Promise<AppInfo> =>
  call("app_info");

/** Where the cache is and how big it is. */
export const cacheInfo = (): Promise<CacheInfo> =>
  call("cache_info");

/** Empties the cache (profiles are kept); refused while an operation runs. */
export const clearCache = (): Promise<CacheInfo> =>
  call("clear_cache");

/** Opens the folder of the app's log files in the file manager; answers its path. */
export const openLogsFolder = (): Promise<string> =>
  call("open_logs_folder");

/** The profile in use, whether its host answers, and as whom. */
export const status = (): Promise<HostStatus> =>
  call("status");

/** Every profile, the Local sandbox included. */
export const profiles = (): Promise<Array<ProfileInfo>> =>
  call("profiles");

/** Adds (or replaces) a profile for a real host. */
export const addProfile = (profile: NewProfile): Promise<ProfileInfo> =>
  call("add_profile", { profile });

/** Makes a profile the one in use. */
export const switchProfile = (id: string): Promise<ProfileInfo> =>
  call("switch_profile", { id });

/** Removes a profile with its cached history; its sign-in leaves the keyring unless shared. */
export const removeProfile = (id: string): Promise<RemovedProfile> =>
  call("remove_profile", { id });

/** The application (client) id this build of Ferry carries, if any (`FERRY_DEFAULT_CLIENT_ID`). */
export const builtInClientId = (): Promise<string | null> =>
  call("built_in_client_id");

/** Signs in to a cloud; the account, or null when canceled with `cancelOperation(opId)`. */
export const signInToCloud = (request: CloudSignIn, opId: string, onPrompt: (event: SignInEvent) => void): Promise<AccountInfo | null> =>
  call("sign_in_to_cloud", { request, opId, onPrompt: channel(onPrompt) });

/** The environments a cloud sign-in reaches, by name. */
export const cloudEnvironments = (request: CloudSignIn): Promise<Array<EnvironmentInfo>> =>
  call("cloud_environments", { request });

/** Finds an environment's pipelines host, keeps it as a profile named after it and puts it in use. */
export const connectEnvironment = (request: CloudSignIn, environment: string): Promise<ProfileInfo> =>
  call("connect_environment", { request, environment });

/** The environments of the tenant of the profile in use (a profile made by signing in). */
export const environments = (): Promise<Array<EnvironmentInfo>> =>
  call("environments");

/** Switches the profile in use to another environment of its tenant. */
export const useEnvironment = (environment: string): Promise<ProfileInfo> =>
  call("use_environment", { environment });

/** What a connection file's text or a `ferry://` link holds, before anything is created. */
export const readConnection = (text: string, method: SignInMethod): Promise<ConnectionOffer> =>
  call("read_connection", { text, method });

/** Reads a connection file the maker picks in the open dialog; null when they cancel. */
export const openConnectionFile = (method: SignInMethod): Promise<ConnectionOffer | null> =>
  call("open_connection_file", { method });

/** Sends each `ferry://` link or connection file Ferry is started with (now, and by later launches). */
export const connectionLinks = (onLink: (event: string) => void): Promise<null> =>
  call("connection_links", { onLink: channel(onLink) });

/** The development environment's unmanaged solutions. */
export const solutions = (): Promise<Array<SolutionSummary>> =>
  call("solutions");

/** The pipelines offered to the dev environment; with a solution, deployability and last runs. */
export const pipelines = (solution?: string | null): Promise<Array<PipelineOverview>> =>
  call("pipelines", { solution: solution ?? null });

/** What to tell a maker to whom no pipeline is offered: who can change that, and what to ask. */
export const noPipelineHint = (): Promise<string> =>
  call("no_pipeline_hint");

/** Solutions × stages: what is deployed where, and drift. */
export const matrix = (): Promise<Matrix> =>
  call("matrix");

/** A deployment, planned: versions, values and checks; nothing is sent. */
export const plan = (request: PlanRequest): Promise<Plan> =>
  call("plan", { request });

/**
 * The engine's verdict on a deployment's values, as the maker types them (cheap: nothing
 * goes to the host); reads a settings file into them when one is given.
 */
export const checkValues = (request: ValuesRequest): Promise<ValuesCheck> =>
  call("check_values", { request });

/** SHA-256 of the package a run carried, or null when it has none (yet). */
export const artifactHash = (runId: string): Promise<string | null> =>
  call("artifact_hash", { runId });

/** The successful runs of a solution in a stage whose package can go there again, newest first. */
export const redeployCandidates = (solution: string, stage: string): Promise<Array<RedeployCandidate>> =>
  call("redeploy_candidates", { solution, stage });

/** Creates a run and validates it against the target. */
export const validate = (request: PlanRequest, opId: string, onEvent: (event: RunEvent) => void): Promise<RunOutcome> =>
  call("validate", { request, opId, onEvent: channel(onEvent) });

/** Deploys now or later (a validated run is reused when `runId` is given). */
export const deploy = (request: DeployRequest, opId: string, onEvent: (event: RunEvent) => void): Promise<RunOutcome> =>
  call("deploy", { request, opId, onEvent: channel(onEvent) });

/** Follows a run to its end. */
export const watchRun = (runId: string, opId: string, onEvent: (event: RunEvent) => void): Promise<RunOutcome> =>
  call("watch_run", { runId, opId, onEvent: channel(onEvent) });

/** Retries a failed deployment and follows it to its end. */
export const retryRun = (runId: string, opId: string, onEvent: (event: RunEvent) => void): Promise<RunOutcome> =>
  call("retry_run", { runId, opId, onEvent: channel(onEvent) });

/** Cancels a stage run that has not finished. */
export const cancelRun = (runId: string): Promise<RunSummary> =>
  call("cancel_run", { runId });

/** Stops following an operation of this window (the stage run goes on); false when none runs. */
export const cancelOperation = (opId: string): Promise<boolean> =>
  call("cancel_operation", { opId });

/** A page of history, newest first, from the cache (offline too). */
export const history = (filter: HistoryFilter): Promise<HistoryResult> =>
  call("history", { filter });

/** The solutions and stage names the history holds (its filters' choices). */
export const historyChoices = (): Promise<HistoryChoices> =>
  call("history_choices");

/** Reads the runs that changed on the host into the cache. */
export const syncHistory = (): Promise<SyncReport> =>
  call("sync_history");

/** Everything about one run, from the cache, secrets redacted. */
export const runRecord = (runId: string): Promise<RunRecord> =>
  call("run_record", { runId });

/** A run record as Markdown or JSON text. */
export const exportRun = (runId: string, format: ExportFormat): Promise<string> =>
  call("export_run", { runId, format });

/** Saves a run record where the maker picks in the save dialog; null when they cancel. */
export const saveRunExport = (runId: string, format: ExportFormat): Promise<string | null> =>
  call("save_run_export", { runId, format });

/** Saves a deployment settings file (pac's JSON) through the save dialog; null when canceled. */
export const saveSettingsFile = (solution: string, text: string): Promise<string | null> =>
  call("save_settings_file", { solution, text });

/** Signs the profile in use in; the account, or null when canceled with `cancelOperation(opId)`. */
export const signIn = (method: SignInMethod, opId: string, onPrompt: (event: SignInEvent) => void): Promise<AccountInfo | null> =>
  call("sign_in", { method, opId, onPrompt: channel(onPrompt) });

/** Opens the page of the sign-in in progress in the browser again. */
export const openSignInPage = (): Promise<null> =>
  call("open_sign_in_page");

/** Signs the profile in use out: its tokens leave the keyring. */
export const signOut = (): Promise<null> =>
  call("sign_out");

/** Who is signed in to the profile in use (null: nobody). */
export const account = (): Promise<AccountInfo | null> =>
  call("account");
