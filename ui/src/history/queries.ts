// The History page's reads, defined once: the page uses them, and the start of the
// app sends them before React's first render when the window opens on History
// (shell/prefetch.ts), so the cache's answer is on its way while the page renders.
import { infiniteQueryOptions, queryOptions } from "@tanstack/react-query";
import { history, historyChoices, type HistoryResult } from "../ipc";
import { engineFilter, type HistoryFilters } from "./filters";

/** The runs matching the filters, a page at a time (the next as the list scrolls). */
export const historyQuery = (filters: HistoryFilters) =>
  infiniteQueryOptions({
    queryKey: ["history", filters.text, filters.solution, filters.stage, filters.status, filters.from, filters.to],
    queryFn: ({ pageParam }) => history(engineFilter(filters, pageParam)),
    initialPageParam: 0,
    getNextPageParam: (last) => last.nextOffset ?? undefined,
  });

/** How often the list is read again while a run in it is still going (from the cache: no host calls). */
export const LIVE_REFRESH_MS = 2000;

/**
 * While a run on the loaded pages has not ended, the list is read again: the app's
 * follower writes each transition to the cache, and the list shows it without a reload.
 */
export function liveRefresh(pages: readonly HistoryResult[] | undefined): number | false {
  return pages?.some((p) => p.runs.some((r) => !r.terminal)) ? LIVE_REFRESH_MS : false;
}

/** The filters' choices: every solution and stage in the cache, not only the page's. */
export const historyChoicesQuery = queryOptions({ queryKey: ["history", "choices"], queryFn: historyChoices });
