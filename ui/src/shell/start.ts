// Whether the window reports its startup mark, from the initialization script the
// shell injects when FERRY_BENCH_READY is set (src-tauri/src/bench.rs; the page it
// starts on is shell/startOptions.ts's); scripts/bench-app.sh uses both. Without it
// the page reports nothing.
import { whenHolds } from "./dom";
import { markWelcomed } from "./welcomed";
import { startOptions as options } from "./startOptions";

/** What finds the first history row: the list's rows carry this test id. */
export const FIRST_DATA_SELECTOR = '[data-testid="history-row"]';

/**
 * With FERRY_BENCH_READY=1: stands for a returning maker (the welcome card was seen
 * once, so the host's status is asked and the offline banner can show), and calls
 * `report` with `Date.now()` the moment the first history row is in the DOM.
 * Returns whether it is watching.
 */
export function watchFirstData(report: (atMs: number) => void): boolean {
  if (!options().bench) return false;
  markWelcomed();
  whenHolds(document.documentElement, FIRST_DATA_SELECTOR, () => report(Date.now()));
  return true;
}

let firstData: Promise<number> | null | undefined;

/**
 * With FERRY_BENCH_READY=1, when the first history row was in the DOM (the watch
 * starts on the first call: the entry makes it, before anything is drawn); null
 * without the flag.
 */
export function firstDataMoment(): Promise<number> | null {
  if (firstData === undefined) {
    let report: (atMs: number) => void = () => undefined;
    const moment = new Promise<number>((resolve) => (report = resolve));
    firstData = watchFirstData(report) ? moment : null;
  }
  return firstData;
}
