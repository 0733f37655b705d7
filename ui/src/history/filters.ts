// History filters as the page keeps them, and as the engine takes them: every
// filter, dates included, is answered by the cache (so a day long ago is found
// among 100,000 runs, not only within the newest page).
import type { HistoryFilter, RunSummary } from "../ipc";
import { localDay } from "../lib/days";

export { dateOf, dayOf } from "../lib/days";
import { outcomeOf } from "../run/status";
import type { HistoryRow } from "./HistoryList";

export interface HistoryFilters {
  text: string;
  solution: string;
  stage: string;
  status: string;
  /** `YYYY-MM-DD`, local days, inclusive. */
  from: string;
  to: string;
}

export const NO_FILTERS: HistoryFilters = { text: "", solution: "", stage: "", status: "", from: "", to: "" };

/** How many runs the page reads at once; more come as the list scrolls (it is virtualized). */
export const HISTORY_PAGE = 200;

export function engineFilter(f: HistoryFilters, offset = 0): HistoryFilter {
  const from = localDay(f.from, false);
  const before = localDay(f.to, true);
  return {
    text: f.text.trim() || null,
    solution: f.solution || null,
    stage: f.stage || null,
    statuses: f.status ? [f.status] : [],
    createdFrom: from == null ? null : new Date(from).toISOString(),
    createdBefore: before == null ? null : new Date(before).toISOString(),
    limit: HISTORY_PAGE,
    offset,
  };
}

export function historyRow(r: RunSummary): HistoryRow {
  return {
    id: r.id,
    solution: r.solution,
    stage: r.stageName ?? r.stageId,
    version: r.version ?? r.devVersion ?? "",
    outcome: outcomeOf(r),
    statusLabel: r.statusLabel,
    when: r.createdOn ?? r.startTime ?? "",
    by: r.createdBy ?? undefined,
  };
}
