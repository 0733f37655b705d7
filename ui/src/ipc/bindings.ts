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

export type FirstScreen = { 
/**
 * The UI build that drew it; another build's screen is not painted.
 */
build: string, 
/**
 * The page the window opened on (`deploy` or `history`).
 */
page: string, 
/**
 * `light` or `dark`.
 */
scheme: string, 
/**
 * The profile in use then (`null`: none); a start with another one paints nothing early.
 */
profile: string | null, 
/**
 * The markup inside the page's root element.
 */
html: string, 
/**
 * The style rules the UI had inserted (Fluent's), as CSS text.
 */
css: string, };
