import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { boxEveryElement } from "../test/layout";
import { createRoot } from "react-dom/client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import type { FirstScreen, HistoryResult, ProfileInfo } from "../ipc";
import { run } from "../test/fixtures";
import { App } from "../App";
import { HistoryList } from "../history/HistoryList";
import { historyRow } from "../history/filters";
import { rowElement } from "../history/rowView";
import { firstCommit, insertedCss, keptMarkup, paintFirstScreen, paintWhenRead, resetFirstScreen, type ScreenKey } from "./firstScreen";
import type { FirstReads } from "./firstReads";

const SANDBOX: ProfileInfo = { id: "sandbox", displayName: "Local sandbox", kind: "localSandbox", active: true } as ProfileInfo;

const ipc = vi.hoisted(() => ({
  history: { runs: [], nextOffset: null } as HistoryResult,
  saved: [] as FirstScreen[],
}));
vi.mock("../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../ipc")>()),
  // One page of runs (the rest of the list is empty).
  history: async (filter: { offset: number }) => (filter.offset === 0 ? ipc.history : { runs: [], nextOffset: null }),
  historyChoices: async () => ({ solutions: ["ContosoCore"], stages: ["Deploy to Test"] }),
  syncHistory: async () => ({ transitions: 0, inserted: 0, seen: 0 }),
  status: () => new Promise(() => undefined),
  profiles: async () => [SANDBOX],
  saveFirstScreen: async (kept: FirstScreen) => {
    ipc.saved.push(kept);
    return null;
  },
}));

const page = (ids: string[], nextOffset: number | null = 200): HistoryResult => ({
  runs: ids.map((id, i) => run({ id, solution: `Solution ${id}`, createdOn: `2026-12-0${(i % 9) + 1}T09:00:00Z` })),
  nextOffset,
});
const KEY: ScreenKey = { build: "build-1", page: "history", scheme: "light", profile: "sandbox" };

/** The markup with each element's attributes in one order, to compare two builders'. */
function normalized(el: Element): string {
  const copy = el.cloneNode(true) as Element;
  for (const e of [copy, ...Array.from(copy.querySelectorAll("*"))]) {
    const attrs = Array.from(e.attributes).map((a) => [a.name, a.value] as const);
    attrs.forEach(([name]) => e.removeAttribute(name));
    attrs.sort(([a], [b]) => a.localeCompare(b)).forEach(([name, value]) => e.setAttribute(name, value));
  }
  return copy.outerHTML;
}

function newRoot(): HTMLElement {
  document.getElementById("root")?.remove();
  const root = document.createElement("div");
  root.id = "root";
  document.body.append(root);
  return root;
}

/** The History page as React draws it at a start: the frame a kept screen is taken from. */
async function drawHistory(root: HTMLElement, first: FirstReads) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const react = createRoot(root);
  await act(async () => {
    react.render(
      <QueryClientProvider client={client}>
        <App first={first} />
      </QueryClientProvider>,
    );
  });
  await waitFor(() => expect(root.querySelectorAll('[data-testid="history-row"]').length).toBeGreaterThan(0));
  return react;
}

beforeEach(() => {
  // jsdom has no layout: every element is an 800×520 box, so the list draws rows.
  boxEveryElement();
  resetFirstScreen();
  ipc.saved = [];
  window.__FERRY_START__ = { page: "history" };
  window.localStorage.setItem("ferry.welcomed", "1");
  const meta = document.createElement("meta");
  meta.name = "ferry-build";
  meta.content = "build-1";
  document.head.append(meta);
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.restoreAllMocks();
  delete window.__FERRY_START__;
  window.localStorage.clear();
  document.head.querySelectorAll('meta[name="ferry-build"]').forEach((m) => m.remove());
  document.getElementById("root")?.remove();
  document.getElementById("ferry-first-screen")?.remove();
});

describe("the first screen", () => {
  it("draws a history row with the same markup as the list", async () => {
    const rows = page(["a", "b", "c"]).runs.map(historyRow);
    rows[1] = { ...rows[1], outcome: "failed", statusLabel: "Failed", by: "Alex" };
    render(<HistoryList rows={rows} onOpen={() => undefined} initialHeight={400} />);
    const drawn = await screen.findAllByTestId("history-row");
    expect(drawn).toHaveLength(3);
    drawn.forEach((el, i) => expect(normalized(el)).toBe(normalized(rowElement(document, rows[i], i))));
  });

  it("is kept after React's first commit without its rows and count, and painted at the next start with that start's rows", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout"], shouldAdvanceTime: true });
    ipc.history = page(["old-1", "old-2"]);
    const first: FirstReads = { page: "history", profiles: Promise.resolve([SANDBOX]) };
    const react = await drawHistory(newRoot(), first);
    await act(async () => vi.advanceTimersByTime(3100));
    vi.useRealTimers();
    await waitFor(() => expect(ipc.saved).toHaveLength(1));
    expect(document.documentElement.dataset.firstScreen).toBe("drawn");
    const kept = ipc.saved[0];
    expect(kept).toMatchObject({ build: "build-1", page: "history", scheme: "light", profile: "sandbox" });
    expect(kept.html).toContain('data-testid="history-rows"');
    expect(kept.html).not.toContain("old-1");
    expect(kept.html).not.toContain("deployments");
    expect(kept.css).toContain("{");
    act(() => react.unmount());
    resetFirstScreen();
    document.head.querySelectorAll("style").forEach((s) => s.remove());

    // The next start: the entry paints the kept frame with this start's rows.
    const root = newRoot();
    const next = page(["new-1", "new-2", "new-3"], null);
    expect(paintFirstScreen(root, kept, KEY, next)).toBe(true);
    const painted = Array.from(root.querySelectorAll('[data-testid="history-row"]'));
    expect(painted.map((r) => r.getAttribute("aria-label"))).toEqual(next.runs.map((r) => expect.stringContaining(`Solution ${r.id}`)));
    expect(root.querySelector('[data-testid="history-count"]')).toHaveTextContent("3 deployments");
    expect(root.querySelector('[data-testid="history-list"]')).toHaveAttribute("aria-label", "3 deployments");
    expect(root.querySelector('[data-testid="history-rows"]')).toHaveStyle({ height: "156px" });
    expect(root).toHaveAttribute("inert");
    expect(root).toHaveAttribute("aria-busy", "true");
    expect(document.getElementById("ferry-first-screen")?.textContent).toBe(kept.css);
    // Once painted, never twice.
    expect(paintFirstScreen(root, kept, KEY, next)).toBe(false);

    // React's first commit replaces it and the page is live: its own rows, which open runs.
    ipc.history = next;
    await drawHistory(root, { page: "history", profiles: Promise.resolve([SANDBOX]) });
    expect(root).not.toHaveAttribute("inert");
    expect(root).not.toHaveAttribute("aria-busy");
    expect(document.documentElement.dataset.firstScreen).toBe("painted");
    expect(document.getElementById("ferry-first-screen")).toBeNull();
    expect(root.querySelectorAll(".fui-FluentProvider")).toHaveLength(1);
    fireEvent.click(screen.getAllByTestId("history-row")[0]);
    expect(await screen.findByTestId("page-history")).toBeInTheDocument();
  });

  it("is not painted for another build, page, scheme or profile, nor without rows, nor once React drew", () => {
    const kept: FirstScreen = {
      ...KEY,
      html: '<div><div data-testid="history-rows"></div><span data-testid="history-count"></span></div>',
      css: ".x{}",
    };
    const runs = page(["r1"]);
    for (const other of [{ build: "build-2" }, { page: "deploy" }, { scheme: "dark" }, { profile: null }]) {
      expect(paintFirstScreen(newRoot(), kept, { ...KEY, ...other }, runs)).toBe(false);
    }
    expect(paintFirstScreen(newRoot(), kept, KEY, page([]))).toBe(false);
    expect(paintFirstScreen(newRoot(), { ...kept, html: "<p>No deployments yet</p>" }, KEY, runs)).toBe(false);
    const drawn = newRoot();
    drawn.append(document.createElement("div"));
    expect(paintFirstScreen(drawn, kept, KEY, runs)).toBe(false);
    expect(document.getElementById("ferry-first-screen")).toBeNull();
    const root = newRoot();
    firstCommit(root, "history", "light", Promise.resolve([SANDBOX]));
    expect(paintFirstScreen(root, kept, KEY, runs)).toBe(false);
  });

  it("is painted by the entry once the reads are answered, and a failed read paints nothing", async () => {
    const kept: FirstScreen = { ...KEY, page: "deploy", html: "<h1>Deploy</h1>", css: "h1{}" };
    const failed = Promise.reject(new Error("the cache is locked"));
    failed.catch(() => undefined);
    expect(await paintWhenRead(newRoot(), "deploy", "light", { screen: Promise.resolve(kept), profiles: failed })).toBe(false);
    const root = newRoot();
    expect(await paintWhenRead(root, "deploy", "light", { screen: Promise.resolve(kept), profiles: Promise.resolve([SANDBOX]) })).toBe(true);
    expect(root.innerHTML).toBe("<h1>Deploy</h1>");
  });

  it("keeps the markup React drew and the style rules inserted, not the files' nor a painted screen's", () => {
    document.head.querySelectorAll("style").forEach((s) => s.remove());
    const root = newRoot();
    root.innerHTML = '<div class="a"><div data-testid="history-rows"><div>row</div></div><span data-testid="history-count">2 deployments</span></div>';
    expect(keptMarkup(root)).toBe('<div class="a"><div data-testid="history-rows"></div><span data-testid="history-count"></span></div>');
    expect(root.textContent).toContain("row");
    const inserted = document.createElement("style");
    document.head.append(inserted);
    inserted.sheet!.insertRule(".a { color: red; }");
    const painted = document.createElement("style");
    painted.id = "ferry-first-screen";
    painted.textContent = ".painted { color: blue; }";
    document.head.append(painted);
    expect(insertedCss()).toContain(".a {color: red;}");
    expect(insertedCss()).not.toContain(".painted");
    // Fluent's rules as written, in the place of its bucket's element.
    const bucket = document.createElement("style");
    bucket.setAttribute("data-make-styles-bucket", "d");
    document.head.prepend(bucket);
    bucket.sheet!.insertRule(".x { border-bottom-color: blue; }");
    const written = ".x{border:1px solid var(--stroke);border-bottom-color:blue;}";
    expect(insertedCss(document, { [written]: "d", ".h:hover{color:red;}": "h" }).split("\n")).toEqual([written, ".a {color: red;}"]);
    bucket.remove();
    inserted.remove();
    painted.remove();
  });
});
