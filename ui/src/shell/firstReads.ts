// The first screen's reads, sent by the UI's entry before the app's script loads
// (main.tsx): the frame's profiles always, and the History page's first page and
// filter choices when the window opens there. The cache answers while WebKit loads
// and runs the app's ~800 kB of script, so the first render finds the answers in
// (shell/prefetch.ts). This module's imports stay tiny for that reason: no React,
// no Fluent, no TanStack Query.
import { history, historyChoices, profiles, type HistoryChoices, type HistoryResult, type ProfileInfo } from "../ipc";
import { engineFilter, NO_FILTERS } from "../history/filters";
import { startOptions } from "./startOptions";

export interface FirstReads {
  profiles: Promise<ProfileInfo[]>;
  /** The newest page of runs, unfiltered: only when the window opens on History. */
  history?: Promise<HistoryResult>;
  choices?: Promise<HistoryChoices>;
}

/** Sends the reads the start page shows first (the start page as `startPage()` reads it). */
export function sendFirstReads(page: string | null | undefined = startOptions().page): FirstReads {
  // Answers nobody awaits yet must not count as unhandled when they fail: the
  // queries that take them over report the error.
  const quiet = <T,>(read: Promise<T>) => (read.catch(() => undefined), read);
  const first: FirstReads = { profiles: quiet(profiles()) };
  if (page === "history") {
    first.history = quiet(history(engineFilter(NO_FILTERS, 0)));
    first.choices = quiet(historyChoices());
  }
  return first;
}
