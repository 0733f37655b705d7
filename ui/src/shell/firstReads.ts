// The first screen's reads, sent by the UI's entry before the app's script loads
// (main.tsx): the frame's profiles always, and the History page's first page and
// filter choices when the window opens there. The shell hands them over with the
// page's first script when it can (`window.__FERRY_FIRST__`, src-tauri/src/window.rs):
// then nothing is asked at all.
// Otherwise the cache answers while WebKit loads and runs the app's ~800 kB of
// script, so the first render finds the answers in (shell/prefetch.ts). This
// module's imports stay tiny for that reason: no React, no Fluent, no TanStack Query.
import {
  history,
  historyChoices,
  profiles,
  type HistoryChoices,
  type HistoryFilter,
  type HistoryResult,
  type ProfileInfo,
} from "../ipc";
import { engineFilter, NO_FILTERS } from "../history/filters";
import { handedReads, startPageId, type HandedReads, type PageId } from "./startOptions";

export interface FirstReads {
  /** The page the window opens on. */
  page: PageId;
  profiles: Promise<ProfileInfo[]>;
  /** The newest page of runs, unfiltered: only when the window opens on History. */
  history?: Promise<HistoryResult>;
  choices?: Promise<HistoryChoices>;
}

export type { HandedReads } from "./startOptions";

/** Handed-over reads older than this are not used: a page loaded again asks anew. */
export const HANDED_FOR_MS = 30_000;

function sameFilter(a: HistoryFilter, b: HistoryFilter): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as (keyof HistoryFilter)[]);
  return [...keys].every((k) => JSON.stringify(a[k] ?? null) === JSON.stringify(b[k] ?? null));
}

/**
 * The reads the start page shows first (the start page as `startPageId()` reads it):
 * what the shell handed over for this page, else asked over IPC.
 */
export function sendFirstReads(
  page: PageId = startPageId(),
  handed: HandedReads | undefined = handedReads(),
  now: number = Date.now(),
): FirstReads {
  // Answers nobody awaits yet must not count as unhandled when they fail: the
  // queries that take them over report the error.
  const quiet = <T,>(read: Promise<T>) => (read.catch(() => undefined), read);
  const fresh = handed && handed.page === page && Math.abs(now - handed.readAtMs) < HANDED_FOR_MS ? handed : undefined;
  const reads = fresh?.reads;
  const first: FirstReads = { page, profiles: reads ? Promise.resolve(reads.profiles) : quiet(profiles()) };
  if (page === "history") {
    const filter = engineFilter(NO_FILTERS, 0);
    const start = reads?.history && sameFilter(reads.history.filter, filter) ? reads.history : undefined;
    first.history = start ? Promise.resolve(start.page) : quiet(history(filter));
    first.choices = start ? Promise.resolve(start.choices) : quiet(historyChoices());
  }
  return first;
}
