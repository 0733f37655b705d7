// History filters: what the engine filters (text, solution, stage, status) and
// what the page filters itself (dates, which the cache query does not take).
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

/** How many runs the page reads at once (the list is virtualized). */
export const HISTORY_LIMIT = 5000;

export function engineFilter(f: HistoryFilters): HistoryFilter {
  return {
    text: f.text.trim() || null,
    solution: f.solution || null,
    stage: f.stage || null,
    statuses: f.status ? [f.status] : [],
    limit: HISTORY_LIMIT,
    offset: 0,
  };
}

function localDay(day: string, endOfDay: boolean): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (endOfDay) d.setDate(d.getDate() + 1);
  return d.getTime();
}

/** Runs between the two days (inclusive, local time). */
export function withinDates(runs: RunSummary[], from: string, to: string): RunSummary[] {
  const start = localDay(from, false);
  const end = localDay(to, true);
  if (start == null && end == null) return runs;
  return runs.filter((r) => {
    const at = new Date(r.createdOn ?? r.startTime ?? "").getTime();
    if (Number.isNaN(at)) return false;
    return (start == null || at >= start) && (end == null || at < end);
  });
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
