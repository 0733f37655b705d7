// What the shell's initialization script tells the page at start (src-tauri/src/bench.rs
// injects it when FERRY_START_PAGE or FERRY_BENCH_READY is set): the page to open on
// and whether to report startup marks. No imports, so every module may read it.

export interface StartOptions {
  page?: string | null;
  bench?: boolean;
}

declare global {
  interface Window {
    __FERRY_START__?: StartOptions;
  }
}

/** The injected options, or none. */
export function startOptions(): StartOptions {
  return (typeof window !== "undefined" && window.__FERRY_START__) || {};
}

/** The pages a window can open on, in the navigation's order. */
export const START_PAGES = ["deploy", "history", "settings"] as const;
export type PageId = (typeof START_PAGES)[number];

/** The page the window opens on: the injected one when it names a page, else Deploy. */
export function startPageId(): PageId {
  const page = startOptions().page;
  return START_PAGES.find((p) => p === page) ?? "deploy";
}
