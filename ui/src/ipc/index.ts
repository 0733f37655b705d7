// The one module of the UI that talks to Tauri. Everything else imports typed
// functions from here, so the UI can be tested (and later run in a browser)
// without the native shell. Types come from bindings.ts and ops.ts, generated
// from Rust.
import { Channel, invoke } from "@tauri-apps/api/core";
import type { AppInfo, ErrorCode, FirstScreen, IpcError } from "./bindings";
import type {
  AccountInfo,
  CacheInfo,
  DeployRequest,
  ExportFormat,
  HistoryFilter,
  HistoryChoices,
  HistoryResult,
  HostStatus,
  Matrix,
  NewProfile,
  PipelineOverview,
  Plan,
  PlanRequest,
  RedeployCandidate,
  ProfileInfo,
  RunEvent,
  RunOutcome,
  RunRecord,
  RunSummary,
  SignInEvent,
  SignInMethod,
  SolutionSummary,
  SyncReport,
} from "./ops";
import { mark } from "../shell/marks";

export type { AppInfo, ErrorCode, FirstScreen, IpcError } from "./bindings";
export type * from "./ops";

const CODES: readonly ErrorCode[] = [
  "invalid_input",
  "not_found",
  "offline",
  "unauthorized",
  "host",
  "cache",
  "internal",
];

/** An IPC failure as a real Error, keeping Rust's `{code, message}`. */
export class FerryError extends Error implements IpcError {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = "FerryError";
    this.code = code;
  }
}

/** Turns whatever `invoke` rejected with into a FerryError. */
export function toFerryError(raw: unknown): FerryError {
  if (raw && typeof raw === "object" && "code" in raw && "message" in raw) {
    const { code, message } = raw as { code: unknown; message: unknown };
    if (typeof code === "string" && (CODES as readonly string[]).includes(code)) {
      return new FerryError(code as ErrorCode, String(message));
    }
  }
  const text = raw instanceof Error ? raw.message : String(raw);
  return new FerryError("internal", `Ferry's window could not reach its engine: ${text}`);
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  mark(`${command}>`);
  try {
    return await invoke<T>(command, args);
  } catch (raw) {
    throw toFerryError(raw);
  } finally {
    mark(`${command}<`);
  }
}

let operations = 0;

/** A fresh id for a long operation, to pass to `cancelOperation`. */
export function newOperationId(kind: string): string {
  operations += 1;
  return `${kind}-${Date.now()}-${operations}`;
}

/** Receives a long operation's run events as they happen. */
export type OnRunEvent = (event: RunEvent) => void;

function events(onEvent: OnRunEvent): Channel<RunEvent> {
  const channel = new Channel<RunEvent>();
  channel.onmessage = onEvent;
  return channel;
}

/** The app's name, version and data folder, from Rust. */
export function appInfo(): Promise<AppInfo> {
  return call<AppInfo>("app_info");
}

export const cacheInfo = () => call<CacheInfo>("cache_info");
export const clearCache = () => call<CacheInfo>("clear_cache");
/** The first screen the last start kept, if this start may paint it (shell/firstScreen.ts). */
export const firstScreen = () => call<FirstScreen | null>("first_screen");
export const saveFirstScreen = (screen: FirstScreen) => call<null>("save_first_screen", { screen });

/** The profile in use, whether its host answers, and as whom. */
export const status = () => call<HostStatus>("status");
export const profiles = () => call<ProfileInfo[]>("profiles");
export const addProfile = (profile: NewProfile) => call<ProfileInfo>("add_profile", { profile });
export const switchProfile = (id: string) => call<ProfileInfo>("use_profile", { id });

export const solutions = () => call<SolutionSummary[]>("solutions");
export const pipelines = (solution?: string) =>
  call<PipelineOverview[]>("pipelines", { solution: solution ?? null });
export const matrix = () => call<Matrix>("matrix");
export const plan = (request: PlanRequest) => call<Plan>("plan", { request });

export const validate = (request: PlanRequest, opId: string, onEvent: OnRunEvent) =>
  call<RunOutcome>("validate", { request, opId, onEvent: events(onEvent) });
export const deploy = (request: DeployRequest, opId: string, onEvent: OnRunEvent) =>
  call<RunOutcome>("deploy", { request, opId, onEvent: events(onEvent) });
export const watchRun = (runId: string, opId: string, onEvent: OnRunEvent) =>
  call<RunOutcome>("watch_run", { runId, opId, onEvent: events(onEvent) });
export const retryRun = (runId: string, opId: string, onEvent: OnRunEvent) =>
  call<RunOutcome>("retry_run", { runId, opId, onEvent: events(onEvent) });
export const cancelRun = (runId: string) => call<RunSummary>("cancel_run", { runId });
/** Stops following (the stage run itself goes on). */
export const cancelOperation = (opId: string) => call<boolean>("cancel_operation", { opId });

export const history = (filter: HistoryFilter) => call<HistoryResult>("history", { filter });
/** The solutions and stage names the history holds (its filters' choices). */
export const historyChoices = () => call<HistoryChoices>("history_choices");
export const syncHistory = () => call<SyncReport>("sync_history");
export const runRecord = (runId: string) => call<RunRecord>("run_record", { runId });
export const exportRun = (runId: string, format: ExportFormat) =>
  call<string>("export_run", { runId, format });
/** Saves a run record as a file (Downloads, else the data folder); resolves to its path. */
/** Saves a run record where the maker picks in the save dialog; null when they cancel. */
export const saveRunExport = (runId: string, format: ExportFormat) =>
  call<string | null>("save_run_export", { runId, format });
/** Saves a deployment settings file (pac's JSON) through the save dialog; null when canceled. */
export const saveSettingsFile = (solution: string, text: string) =>
  call<string | null>("save_settings_file", { solution, text });
/** SHA-256 of the package a run carried, or null when it has none (yet). */
export const artifactHash = (runId: string) => call<string | null>("artifact_hash", { runId });
/** The successful runs of a solution in a stage whose package can go there again, newest first. */
export const redeployCandidates = (solution: string, stage: string) =>
  call<RedeployCandidate[]>("redeploy_candidates", { solution, stage });

/** Receives what a sign-in in progress asks of the maker (a code and its page, or a browser page). */
export type OnSignInEvent = (event: SignInEvent) => void;

/**
 * Signs the profile in use in; resolves to the account, or null when cancelled
 * through `cancelOperation(opId)`.
 */
export const signIn = (method: SignInMethod, opId: string, onPrompt: OnSignInEvent) => {
  const channel = new Channel<SignInEvent>();
  channel.onmessage = onPrompt;
  return call<AccountInfo | null>("sign_in", { method, opId, onPrompt: channel });
};
/** Opens the page of the sign-in in progress in the browser again. */
export const openSignInPage = () => call<void>("open_sign_in_page");
/** Signs the profile in use out: its tokens leave the keyring. */
export const signOut = () => call<void>("sign_out");
/** Who is signed in to the profile in use (null: nobody). */
export const account = () => call<AccountInfo | null>("account");
/** Startup mark for scripts/bench-app.sh: the shell prints it only with FERRY_BENCH_READY=1. */
export const benchReady = (atMs: number, originMs: number, scriptMs: number, marks: string) =>
  call<null>("bench_ready", { atMs, originMs, scriptMs, marks });
