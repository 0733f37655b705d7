// The History page's "When" filter: quick ranges of local days, or a custom one
// picked from a calendar.
import { dayOf } from "../lib/days";
import type { HistoryFilters } from "./filters";

export type Range = "any" | "today" | "week" | "month" | "custom";

export const RANGES: { value: Range; label: string }[] = [
  { value: "any", label: "Any day" },
  { value: "today", label: "Today" },
  { value: "week", label: "Last 7 days" },
  { value: "month", label: "Last 30 days" },
  { value: "custom", label: "Custom range…" },
];

const DAYS: Record<Exclude<Range, "any" | "custom">, number> = { today: 1, week: 7, month: 30 };

/** The days a quick range covers, counted back from `now`'s local day (inclusive). */
export function rangeDays(range: Exclude<Range, "custom">, now: Date): Pick<HistoryFilters, "from" | "to"> {
  if (range === "any") return { from: "", to: "" };
  const first = new Date(now.getFullYear(), now.getMonth(), now.getDate() - (DAYS[range] - 1));
  return { from: dayOf(first), to: "" };
}
