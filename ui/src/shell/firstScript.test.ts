// Policy: what a start loads before React's first commit is the frame and the start
// page, not every page (BENCHMARKS.md, desktop app startup: the first script's size
// and the first commit's work are most of the page's share of the start). Read from
// the sources' static imports: a page the start does not show, sign-in, the account
// menu and the connection dialog load in chunks of their own.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { SRC, importsOf, srcPath } from "../test/sources";

// `from "./x"` and `import "./x.css"`, not `import("./x")`: what loads with the module.
const STATIC_IMPORT = /(?:\bfrom|^import)\s*["'](\.{1,2}\/[^"']*)["']/gm;
// `import type …` and `export type …`: gone from the built script.
const TYPE_ONLY = /^(?:import|export)\s+type\b[^;]*;/gm;

function staticImportsOf(path: string): string[] {
  const text = readFileSync(path, "utf8").replace(TYPE_ONLY, "");
  const specifiers = new Set([...text.matchAll(STATIC_IMPORT)].map((m) => join(dirname(path), m[1])));
  return importsOf(path).filter((file) => [...specifiers].some((s) => file === s || file.startsWith(`${s}.`) || file.startsWith(`${s}/index.`)));
}

/** Every module `entries` load statically, as paths relative to `ui/src`. */
function loadedWith(entries: string[]): string[] {
  const seen = new Set<string>();
  const todo = entries.map((e) => join(SRC, e));
  while (todo.length > 0) {
    const next = todo.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    todo.push(...staticImportsOf(next));
  }
  return [...seen].map(srcPath).sort();
}

/** What any start loads: the entry, the app and its frame. */
const FRAME = ["main.tsx", "startApp.tsx"];

describe("the first script", () => {
  it("holds the frame without any page, sign-in, account menu or connection dialog", () => {
    const loaded = loadedWith(FRAME);
    expect(loaded).toContain("shell/AppShell.tsx");
    const pages = loaded.filter((p) => /^(deploy|history|settings|solutions|run|connect)\//.test(p) && !SHARED_SMALL.includes(p));
    expect(pages).toEqual([]);
    expect(loaded).not.toContain("shell/FrameStatus.tsx");
  });

  it("with the History page holds nothing of the other pages", () => {
    const loaded = loadedWith([...FRAME, "history/HistoryPage.tsx"]);
    const others = loaded.filter((p) => /^(deploy|settings|solutions|connect)\//.test(p) || (p.startsWith("run/") && !SHARED_SMALL.includes(p)));
    expect(others).toEqual([]);
    // What a History start shows only on a problem or an empty cache.
    expect(loaded).not.toContain("components/ErrorNote.tsx");
    expect(loaded).not.toContain("history/EmptyState.tsx");
    // Modules importing the Fluent component `name`.
    const using = (name: string) =>
      loaded.filter((p) => new RegExp(`import\\s*\\{[^}]*\\b${name}\\b[^}]*\\}\\s*from\\s*"@fluentui/`).test(readFileSync(join(SRC, p), "utf8")));
    expect(using("MessageBar")).toEqual([]);
    // A row's status is a styled span (history/StatusBadge.tsx), not a Badge component per row.
    expect(using("Badge")).toEqual([]);
  });
});

/** Small modules of pages the frame or the entry needs (the history filters, run status words). */
const SHARED_SMALL = ["history/filters.ts", "history/ranges.ts", "history/queries.ts", "run/status.ts"];
