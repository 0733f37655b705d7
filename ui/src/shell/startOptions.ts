// What the shell hands the page with its first script (src-tauri/src/window.rs,
// `window.__FERRY_FIRST__`): the page the window opens on (`FERRY_START_PAGE`, else
// Deploy) and that page's first reads (shell/firstReads.ts takes them). No imports
// but types, so every module may read it.
import type { StartReads } from "../ipc";

/** What the shell hands over. */
export interface HandedReads {
  page: string;
  /** When the shell read them (ms since the epoch). */
  readAtMs: number;
  reads: StartReads | null;
}

declare global {
  interface Window {
    __FERRY_FIRST__?: HandedReads;
  }
}

/** What the shell handed over, if anything (tests and a page without the shell: nothing). */
export function handedReads(): HandedReads | undefined {
  return typeof window !== "undefined" ? window.__FERRY_FIRST__ : undefined;
}

/** The pages a window can open on, in the navigation's order. */
export const START_PAGES = ["deploy", "history", "settings"] as const;
export type PageId = (typeof START_PAGES)[number];

/** The page the window opens on: the handed-over one when it names a page, else Deploy. */
export function startPageId(): PageId {
  const page = handedReads()?.page;
  return START_PAGES.find((p) => p === page) ?? "deploy";
}
