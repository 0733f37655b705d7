// History filters as the page keeps them, and as the engine takes them: every
// filter, dates included, is answered by the cache (so a day long ago is found
// among 100,000 runs, not only within the newest page).
import type { HistoryFilter, RunSummary } from "../ipc";
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

/** The start of a local day (`YYYY-MM-DD`), or of the day after it, in milliseconds. */
function localDay(day: string, dayAfter: boolean): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (dayAfter) d.setDate(d.getDate() + 1);
  return d.getTime();
}

/** A local day as the filters keep it (`YYYY-MM-DD`). */
export function dayOf(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** A kept day as a Date at local midnight, for the date picker. */
export function dateOf(day: string): Date | null {
  const at = localDay(day, false);
  return at == null ? null : new Date(at);
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
