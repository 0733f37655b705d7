// What the first screen reads, sent before React's first render: the frame's
// profiles always, and the History page's first page and filter choices when the
// window opens there. The page's own queries then join these reads instead of
// starting theirs after the first commit (BENCHMARKS.md, desktop app startup).
import type { QueryClient } from "@tanstack/react-query";
import { historyChoicesQuery, historyQuery } from "../history/queries";
import { NO_FILTERS } from "../history/filters";
import type { PageId } from "./pages";
import { profilesQuery } from "./useStatus";

export function prefetchStart(client: QueryClient, page: PageId): void {
  void client.prefetchQuery(profilesQuery);
  if (page === "history") {
    void client.prefetchInfiniteQuery(historyQuery(NO_FILTERS));
    void client.prefetchQuery(historyChoicesQuery);
  }
}
