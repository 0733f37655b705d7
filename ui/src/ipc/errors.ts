// Rust's `{code, message}` (ferry-error's CodedError) as a real Error the UI can
// throw and catch. No Tauri here: commands.ts, the generated door, uses it.
import { ERROR_CODES, type CodedError, type ErrorCode } from "./commands";

/** An IPC failure as a real Error, keeping Rust's `{code, message}`. */
export class FerryError extends Error implements CodedError {
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
    if (typeof code === "string" && (ERROR_CODES as readonly string[]).includes(code)) {
      return new FerryError(code as ErrorCode, String(message));
    }
  }
  const text = raw instanceof Error ? raw.message : String(raw);
  return new FerryError("internal", `Ferry's window could not reach its engine: ${text}`);
}
