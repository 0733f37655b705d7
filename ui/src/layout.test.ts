// Policy: the UI's folders (ARCHITECTURE.md, "UI layout"). Each page lives in the
// folder of its feature — there is no pages/ folder — and src/'s root holds the entry
// alone. components/ (widgets) and lib/ (helpers) are the shared layer: they hold what
// two or more features use, and import no feature. Features depend on each other one
// way only, so what two of them need from each other goes to the shared layer. The
// frame (shell/) is apart: it holds the pages and hands them its route and status.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SRC, importsOf, isTest, sources, srcPath } from "./test/sources";

/** The folders every feature may import; the rest of src/'s folders are features. */
const SHARED = ["components", "lib", "ipc", "query"];
/** The frame, and the tests' own helpers: neither is a feature. */
const NOT_FEATURES = ["shell", "test"];
/** What src/'s root may hold: the entry, the app's root component and the policy tests. */
const ROOT = ["App.test.tsx", "App.tsx", "boundary.test.ts", "layout.test.ts", "main.tsx", "startApp.tsx", "test-setup.ts"];

const areaOf = (path: string) => (srcPath(path).includes("/") ? srcPath(path).split("/")[0] : "");

const isFeature = (area: string) => area !== "" && !SHARED.includes(area) && !NOT_FEATURES.includes(area);

/** A way from `from` back to `to` along `edges`, or null. */
function pathBetween(edges: Map<string, Set<string>>, from: string, to: string): string[] | null {
  const seen = new Set<string>();
  const queue: string[][] = [[from]];
  while (queue.length > 0) {
    const path = queue.shift()!;
    const last = path[path.length - 1];
    if (last === to) return path;
    if (seen.has(last)) continue;
    seen.add(last);
    for (const next of edges.get(last) ?? []) queue.push([...path, next]);
  }
  return null;
}

function folders(dir: string): string[] {
  return readdirSync(dir)
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isDirectory())
    .flatMap((path) => [path, ...folders(path)]);
}

describe("the UI layout", () => {
  it("has no pages/ folder: a page lives in its feature's folder", () => {
    const pages = folders(SRC)
      .filter((path) => /(^|\/)pages$/.test(srcPath(path)))
      .map(srcPath);
    expect(pages).toEqual([]);
  });

  it("keeps src/'s root to the entry; shared code goes to components/ or lib/", () => {
    const loose = sources(SRC)
      .filter((path) => areaOf(path) === "")
      .map(srcPath)
      .filter((name) => !ROOT.includes(name));
    expect(loose).toEqual([]);
  });

  it("keeps the shared layer free of features", () => {
    const shared = ["components", "lib"];
    const reaching = sources(SRC)
      .filter((path) => shared.includes(areaOf(path)))
      .flatMap((path) => importsOf(path).map((target) => [path, target]))
      .filter(([, target]) => !SHARED.includes(areaOf(target)))
      .map(([path, target]) => `${srcPath(path)} → ${srcPath(target)}`);
    expect(reaching).toEqual([]);
  });

  it("puts in components/ and lib/ only what two features use", () => {
    const users = new Map<string, Set<string>>();
    for (const path of sources(SRC).filter((p) => !isTest(p))) {
      for (const target of importsOf(path)) {
        if (areaOf(target) === areaOf(path) && !["components", "lib"].includes(areaOf(path))) continue;
        const set = users.get(target) ?? new Set<string>();
        // A shared module used by another shared module counts as shared.
        set.add(SHARED.includes(areaOf(path)) ? "shared" : areaOf(path));
        users.set(target, set);
      }
    }
    const single = sources(SRC)
      .filter((path) => ["components", "lib"].includes(areaOf(path)) && !isTest(path))
      .filter((path) => {
        const of = users.get(path) ?? new Set<string>();
        return !of.has("shared") && of.size < 2;
      })
      .map((path) => `${srcPath(path)} (used by: ${[...(users.get(path) ?? [])].join(", ") || "nobody"})`);
    expect(single).toEqual([]);
  });

  it("lets features depend on each other one way only", () => {
    const edges = new Map<string, Set<string>>();
    const example = new Map<string, string>();
    for (const path of sources(SRC)) {
      const from = areaOf(path);
      if (!isFeature(from)) continue;
      for (const target of importsOf(path)) {
        const to = areaOf(target);
        if (to === from || !isFeature(to)) continue;
        edges.set(from, (edges.get(from) ?? new Set<string>()).add(to));
        if (!example.has(`${from} ${to}`)) example.set(`${from} ${to}`, `${srcPath(path)} → ${srcPath(target)}`);
      }
    }
    const cycles = [...edges].flatMap(([from, tos]) =>
      [...tos].flatMap((to) => {
        const back = pathBetween(edges, to, from);
        return back ? [`${[from, ...back].join(" → ")} (${example.get(`${from} ${to}`)})`] : [];
      }),
    );
    expect(cycles).toEqual([]);
  });
});
