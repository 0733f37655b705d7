// Whether the maker chose a profile in this window once (then no welcome card shows
// again). No imports, so the UI's small entry may mark it too (shell/start.ts).

export const WELCOMED_KEY = "ferry.welcomed";

/** Remembers that the maker chose a profile in this window once (no welcome card again). */
export function markWelcomed(): void {
  window.localStorage.setItem(WELCOMED_KEY, "1");
}
