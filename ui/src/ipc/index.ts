// The one module of the UI that talks to Tauri. Everything else imports typed
// functions from here, so the UI can be tested (and later run in a browser)
// without the native shell. Types come from bindings.ts, generated from Rust.
import { invoke } from "@tauri-apps/api/core";
import type { AppInfo, ErrorCode, IpcError } from "./bindings";

export type { AppInfo, ErrorCode, IpcError } from "./bindings";

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
  try {
    return await invoke<T>(command, args);
  } catch (raw) {
    throw toFerryError(raw);
  }
}

/** The app's name, version and data folder, from Rust. */
export function appInfo(): Promise<AppInfo> {
  return call<AppInfo>("app_info");
}
