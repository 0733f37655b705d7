// The first reads, taken over by the query cache before React's first render: the
// entry sent them before the app's script loaded (shell/firstReads.ts), and here
// each becomes its query's first answer, so the page's own queries find it instead
// of starting theirs after the first commit. The first render waits a moment for
// the answers (the cache answers in milliseconds, usually before this runs), so it
// already shows the data instead of a spinner and then a second render
// (BENCHMARKS.md, desktop app startup).
import type { QueryClient } from "@tanstack/react-query";
import { historyChoicesQuery, historyQuery } from "../history/queries";
import { NO_FILTERS } from "../history/filters";
import type { FirstReads } from "./firstReads";
import { profilesQuery } from "./useStatus";

/** How long the first render waits for the first reads at most (a slow host must not hold the window blank). */
export const FIRST_READS_WAIT_MS = 150;

/** Puts the first reads into the cache; resolves when they are answered (or failed), or after `waitMs`. */
export function prefetchStart(client: QueryClient, first: FirstReads, waitMs = FIRST_READS_WAIT_MS): Promise<void> {
  const reads: Promise<void>[] = [client.prefetchQuery({ ...profilesQuery, queryFn: () => first.profiles })];
  const { history, choices } = first;
  if (history) reads.push(client.prefetchInfiniteQuery({ ...historyQuery(NO_FILTERS), queryFn: () => history }));
  if (choices) reads.push(client.prefetchQuery({ ...historyChoicesQuery, queryFn: () => choices }));
  return Promise.race([
    Promise.all(reads).then(() => undefined),
    new Promise<void>((resolve) => window.setTimeout(resolve, waitMs)),
  ]);
}
