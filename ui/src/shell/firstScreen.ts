// The first screen, painted before the app's script has loaded. At each start the UI
// keeps the frame React drew first (its markup, without the history's rows, counts and
// the offline banner, and Fluent's style rules) in the data folder (`first_screen` /
// `save_first_screen`). The next start's small entry reads it with the first reads
// and, when it was drawn by this UI build for the same page, colour scheme and
// profile, paints it with this start's rows from the cache (history/rowView.ts) while
// WebKit still loads and runs the app's script. The painted screen is inert (no
// clicks, no focus, hidden from screen readers as busy) until React's first commit
// replaces it with the same screen, live (BENCHMARKS.md, desktop app startup). The
// markup is the UI's own and is parsed as a template: nothing in it runs (and the CSP
// allows no inline handlers).
import { firstScreen, saveFirstScreen, type FirstScreen, type HistoryResult, type ProfileInfo } from "../ipc";
import { historyRow } from "../history/filters";
import { ROW_HEIGHT, countText, firstRowCount, listHeight, listLabel, rowElement } from "../history/rowView";
import type { ColorScheme } from "../scheme";
import { whenHolds } from "./dom";
import { mark } from "./marks";

/** The pages a start opens on whose first screen is kept. */
export const KEPT_PAGES: readonly string[] = ["deploy", "history"];

const STYLE_ID = "ferry-first-screen";
const LIST = '[data-testid="history-list"]';
const ROWS = '[data-testid="history-rows"]';
const COUNT = '[data-testid="history-count"]';
/** What a kept screen leaves out because each start finds it anew (the offline banner). */
const OMIT = '[data-first-screen="omit"]';
/** How long after the first commit the History page's first rows may come to be kept. */
const ROWS_WAIT_MS = 10_000;
/** How long after the first commit the screen is kept (the start's own reads are done by then). */
export const KEEP_AFTER_MS = 3000;

/** What a kept screen must match to be painted. */
export type ScreenKey = Pick<FirstScreen, "build" | "page" | "scheme" | "profile">;

/** The UI build this page is (index.html's `ferry-build`, from vite.config.ts); null on the dev server. */
export function uiBuild(doc: Document = document): string | null {
  return doc.querySelector<HTMLMetaElement>('meta[name="ferry-build"]')?.content || null;
}

/** The profile in use. */
export function activeProfile(list: ProfileInfo[]): string | null {
  return list.find((p) => p.active)?.id ?? null;
}

/** Reads the kept screen (with `read`: over IPC) when this start's page keeps one and the UI is a build. */
export function readKeptScreen(
  page: string,
  doc: Document = document,
  read: () => Promise<FirstScreen | null> = firstScreen,
): Promise<FirstScreen | null> | undefined {
  return uiBuild(doc) && KEPT_PAGES.includes(page) ? read() : undefined;
}

type Phase = "waiting" | "painted" | "live";
let phase: Phase = "waiting";
/** The screen the entry read (to keep a new one only when it differs). */
let loaded: FirstScreen | null = null;

function sameKey(a: ScreenKey, b: ScreenKey): boolean {
  return a.build === b.build && a.page === b.page && a.scheme === b.scheme && a.profile === b.profile;
}

/**
 * Paints `shot` into the empty `root` if it was kept for `key` and this start has what
 * it shows (for History, a page of runs: its rows are drawn from `history`). Returns
 * whether it painted; nothing is painted once React has drawn.
 */
export function paintFirstScreen(root: HTMLElement, shot: FirstScreen, key: ScreenKey, history?: HistoryResult): boolean {
  if (phase !== "waiting" || root.childNodes.length > 0 || !sameKey(shot, key)) return false;
  const doc = root.ownerDocument;
  const template = doc.createElement("template");
  template.innerHTML = shot.html;
  const frame = template.content;
  if (key.page === "history") {
    const list = frame.querySelector<HTMLElement>(ROWS);
    const runs = history?.runs ?? [];
    // Without runs the page shows its empty state, which the kept frame is not.
    if (!list || runs.length === 0) return false;
    const rows = runs.map(historyRow);
    const view = doc.defaultView;
    const count = firstRowCount(listHeight(view ? view.innerHeight : 0), rows.length);
    list.style.height = `${rows.length * ROW_HEIGHT}px`;
    list.replaceChildren(...rows.slice(0, count).map((row, i) => rowElement(doc, row, i)));
    frame.querySelector(LIST)?.setAttribute("aria-label", listLabel(rows.length));
    const counter = frame.querySelector(COUNT);
    if (counter) counter.textContent = countText(rows.length, history?.nextOffset != null);
  }
  const style = doc.createElement("style");
  style.id = STYLE_ID;
  style.textContent = shot.css;
  doc.head.append(style);
  doc.documentElement.style.colorScheme = key.scheme;
  root.setAttribute("inert", "");
  root.setAttribute("aria-busy", "true");
  root.append(doc.importNode(frame, true));
  phase = "painted";
  mark("painted");
  return true;
}

/** Sends `reads` to `paintFirstScreen` once they are answered; a failed read paints nothing. */
export async function paintWhenRead(
  root: HTMLElement,
  page: string,
  scheme: ColorScheme,
  reads: { screen?: Promise<FirstScreen | null>; profiles: Promise<ProfileInfo[]>; history?: Promise<HistoryResult> },
): Promise<boolean> {
  const build = uiBuild(root.ownerDocument);
  if (!build || !reads.screen) return false;
  try {
    const [shot, profiles, history] = await Promise.all([reads.screen, reads.profiles, reads.history]);
    loaded = shot;
    if (!shot) return false;
    return paintFirstScreen(root, shot, { build, page, scheme, profile: activeProfile(profiles) }, history);
  } catch {
    return false;
  }
}

/** Fluent's style rules as its renderer inserted them: each rule's CSS text, and its bucket. */
export type InsertedRules = Readonly<Record<string, string>>;

/**
 * The page's inserted style rules as CSS text, in the page's order: Fluent's as they
 * were written (`rules`: its renderer's cache, by bucket; WebKit writes a shorthand
 * with a `var()` overridden in part back out empty), the other style elements' (the
 * theme's variables) as the page holds them; not the files', not a painted screen's.
 */
export function insertedCss(doc: Document = document, rules: InsertedRules = {}): string {
  const byBucket = new Map<string, string[]>();
  for (const [css, bucket] of Object.entries(rules)) {
    const list = byBucket.get(bucket) ?? [];
    list.push(css);
    byBucket.set(bucket, list);
  }
  const out: string[] = [];
  for (const style of Array.from(doc.querySelectorAll("style"))) {
    if (style.id === STYLE_ID) continue;
    const bucket = style.getAttribute("data-make-styles-bucket");
    if (bucket !== null) {
      // A bucket may have several elements (one per media query): its rules go out once.
      out.push(...(byBucket.get(bucket) ?? []));
      byBucket.delete(bucket);
    } else if (style.sheet) {
      for (const rule of Array.from(style.sheet.cssRules)) out.push(rule.cssText);
    }
  }
  return out.join("\n");
}

/** The markup of `root` to keep: without the history's rows and counts, which each start draws, and what it omits. */
export function keptMarkup(root: HTMLElement): string {
  const copy = root.cloneNode(true) as HTMLElement;
  copy.querySelectorAll(OMIT).forEach((el) => el.remove());
  copy.querySelector(ROWS)?.replaceChildren();
  copy.querySelector(LIST)?.removeAttribute("aria-label");
  const counter = copy.querySelector(COUNT);
  if (counter) counter.textContent = "";
  return copy.innerHTML;
}

/**
 * React's first commit (App's layout effect): a painted screen is gone (React replaced
 * the root's children) and the page is live. Takes this screen's markup when it first
 * shows its data (History: the first rows; that is this commit when the first reads
 * were in), and keeps it with the styles a moment later, unless the kept one is the
 * same already.
 */
export function firstCommit(
  root: HTMLElement,
  page: string,
  scheme: ColorScheme,
  profiles: Promise<ProfileInfo[]>,
  rules: InsertedRules = {},
): void {
  if (phase === "live") return;
  const doc = root.ownerDocument;
  // Whether this start painted a kept screen first (`painted`) or React drew the first (`drawn`).
  doc.documentElement.dataset.firstScreen = phase === "painted" ? "painted" : "drawn";
  phase = "live";
  doc.getElementById(STYLE_ID)?.remove();
  root.removeAttribute("inert");
  root.removeAttribute("aria-busy");
  mark("commit");
  const build = uiBuild(doc);
  if (!build || !KEPT_PAGES.includes(page)) return;
  const view = doc.defaultView;
  whenHolds(root, page === "history" ? ROWS : "*", () => {
    // The markup as this commit drew it; read out, with the styles it uses, in the next
    // task (off the commit), and kept a moment later (off the start's own reads).
    const drawn = root.cloneNode(true) as HTMLElement;
    view?.setTimeout(() => {
      const html = keptMarkup(drawn);
      const css = insertedCss(doc, rules);
      view.setTimeout(() => {
        void profiles
          .then((list) => {
            const screen: FirstScreen = { build, page, scheme, profile: activeProfile(list), html, css };
            const same = loaded && sameKey(loaded, screen) && loaded.html === screen.html && loaded.css === screen.css;
            return same ? null : saveFirstScreen(screen);
          })
          // Keeping it is a nicety: a start without it only paints later.
          .catch(() => undefined);
      }, KEEP_AFTER_MS);
    }, 0);
  }, ROWS_WAIT_MS);
}

/** For tests: back to a fresh page's state. */
export function resetFirstScreen(): void {
  phase = "waiting";
  loaded = null;
}
