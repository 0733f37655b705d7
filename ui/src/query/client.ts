// The app's one TanStack Query client and its retry policy.
import { QueryClient } from "@tanstack/react-query";
import type { FerryError } from "../ipc";

/** Codes worth one more quiet attempt: a host hiccup (5xx, a dropped answer) or the engine reopening. */
const TRANSIENT = new Set(["host", "internal"]);

/**
 * Whether a failed read is tried again before the maker sees the error: twice at
 * most, and only for transient codes. Offline, sign-in and input errors show at
 * once (they say what to do; the cache answers offline reads).
 */
export function retryTransient(failures: number, error: unknown): boolean {
  const code = (error as Partial<FerryError> | null)?.code;
  return failures < 2 && typeof code === "string" && TRANSIENT.has(code);
}

export function newQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: retryTransient,
        retryDelay: (attempt) => 400 * 2 ** attempt,
        refetchOnWindowFocus: false,
      },
    },
  });
}
