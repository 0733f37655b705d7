// What the first screen reads, sent before React's first render: the frame's
// profiles always, and the History page's first page and filter choices when the
// window opens there. The page's own queries then join these reads instead of
// starting theirs after the first commit, and the first render waits a moment for
// their answers (the cache answers in milliseconds), so it already shows the data
// instead of a spinner and then a second render (BENCHMARKS.md, desktop app startup).
import type { QueryClient } from "@tanstack/react-query";
import { historyChoicesQuery, historyQuery } from "../history/queries";
import { NO_FILTERS } from "../history/filters";
import type { PageId } from "./pages";
import { profilesQuery } from "./useStatus";

/** How long the first render waits for the first reads at most (a slow host must not hold the window blank). */
export const FIRST_READS_WAIT_MS = 150;

/** Sends the first screen's reads; resolves when they are answered (or failed), or after `waitMs`. */
export function prefetchStart(client: QueryClient, page: PageId, waitMs = FIRST_READS_WAIT_MS): Promise<void> {
  const reads: Promise<void>[] = [client.prefetchQuery(profilesQuery)];
  if (page === "history") {
    reads.push(client.prefetchInfiniteQuery(historyQuery(NO_FILTERS)), client.prefetchQuery(historyChoicesQuery));
  }
  return Promise.race([
    Promise.all(reads).then(() => undefined),
    new Promise<void>((resolve) => window.setTimeout(resolve, waitMs)),
  ]);
}
