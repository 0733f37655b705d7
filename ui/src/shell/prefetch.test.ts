import { describe, expect, it, vi } from "vitest";
import { QueryClient } from "@tanstack/react-query";
import { prefetchStart } from "./prefetch";
import { sendFirstReads, type HandedReads } from "./firstReads";
import { engineFilter, NO_FILTERS } from "../history/filters";

const ipc = vi.hoisted(() => ({ calls: [] as string[], slow: false }));
vi.mock("../ipc", async (importOriginal) => {
  const answer = <T,>(name: string, value: T) => {
    ipc.calls.push(name);
    return ipc.slow ? new Promise<T>(() => undefined) : Promise.resolve(value);
  };
  return {
    ...(await importOriginal<typeof import("../ipc")>()),
    profiles: () => answer("profiles", []),
    history: () => answer("history", { runs: [], nextOffset: null }),
    historyChoices: () => answer("history_choices", { solutions: [], stages: [] }),
  };
});

describe("the first reads", () => {
  it("are the frame's profiles, and the history's page and choices when it opens on History, each asked once", async () => {
    ipc.calls = [];
    ipc.slow = false;
    const client = new QueryClient();
    await prefetchStart(client, sendFirstReads("history"));
    // The cache takes over the entry's reads instead of asking again.
    expect(ipc.calls.sort()).toEqual(["history", "history_choices", "profiles"]);
    expect(client.getQueryData(["history", "", "", "", "", "", ""])).toEqual({
      pages: [{ runs: [], nextOffset: null }],
      pageParams: [0],
    });
    expect(client.getQueryData(["history", "choices"])).toEqual({ solutions: [], stages: [] });
    ipc.calls = [];
    const deploy = new QueryClient();
    await prefetchStart(deploy, sendFirstReads("deploy"));
    expect(ipc.calls).toEqual(["profiles"]);
    expect(deploy.getQueryData(["profiles"])).toEqual([]);
    expect(deploy.getQueryData(["history", "choices"])).toBeUndefined();
  });

  it("hold the first render no longer than their wait when the answers are slow", async () => {
    ipc.slow = true;
    const started = Date.now();
    await prefetchStart(new QueryClient(), sendFirstReads("history"), 30);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("are what the shell handed over with the page's first script, when it is for this page and fresh", async () => {
    ipc.slow = false;
    const runs = { runs: [], nextOffset: 200 };
    const handed: HandedReads = {
      page: "history",
      readAtMs: 1_000_000,
      reads: {
        profiles: [],
        history: { filter: engineFilter(NO_FILTERS, 0), page: runs, choices: { solutions: ["A"], stages: ["Test"] } },
      },
    };
    ipc.calls = [];
    const client = new QueryClient();
    await prefetchStart(client, sendFirstReads("history", handed, 1_000_500));
    expect(ipc.calls).toEqual([]);
    expect(client.getQueryData(["history", "", "", "", "", "", ""])).toEqual({ pages: [runs], pageParams: [0] });
    expect(client.getQueryData(["history", "choices"])).toEqual({ solutions: ["A"], stages: ["Test"] });
    // Another page's, a stale one (the page loaded again) or another filter's page: asked anew.
    ipc.calls = [];
    sendFirstReads("deploy", handed, 1_000_500);
    sendFirstReads("history", handed, 1_000_000 + 60_000);
    const other = { ...handed.reads!.history!, filter: { ...handed.reads!.history!.filter, limit: 50 } };
    sendFirstReads("history", { ...handed, reads: { profiles: [], history: other } }, 1_000_500);
    expect(ipc.calls.sort()).toEqual(["history", "history", "history_choices", "history_choices", "profiles", "profiles"]);
  });
});
