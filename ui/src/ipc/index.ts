// What the rest of the UI imports to talk to the engine. The commands and the
// types they carry are generated into ./commands (the one module that imports
// Tauri) from their one declaration in Rust (crates/ipc/src/registry.rs); this
// module adds the error class and the small helpers around them.
import type { RunEvent, SignInEvent } from "./commands";

export * from "./commands";
export { FerryError, toFerryError } from "./errors";

let operations = 0;

/** A fresh id for a long operation, to pass to `cancelOperation`. */
export function newOperationId(kind: string): string {
  operations += 1;
  return `${kind}-${Date.now()}-${operations}`;
}

/** Receives a long operation's run events as they happen. */
export type OnRunEvent = (event: RunEvent) => void;

/** Receives what a sign-in in progress asks of the maker (a code and its page, or a browser page). */
export type OnSignInEvent = (event: SignInEvent) => void;
