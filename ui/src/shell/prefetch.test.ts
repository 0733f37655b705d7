import { describe, expect, it, vi } from "vitest";
import { QueryClient } from "@tanstack/react-query";
import { prefetchStart } from "./prefetch";
import { sendFirstReads } from "./firstReads";

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
});
