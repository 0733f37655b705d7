// Generated from crates/ipc by `UPDATE_BINDINGS=1 cargo test -p ferry-ipc`. Do not edit.

export type ErrorCode = "invalid_input" | "not_found" | "offline" | "unauthorized" | "host" | "cache" | "internal";

export type IpcError = { code: ErrorCode, message: string, };

export type AppInfo = { name: string, version: string, 
/**
 * Where Ferry keeps its cache and settings on this machine.
 */
dataDir: string, 
/**
 * `linux`, `macos` or `windows`.
 */
os: string, };
