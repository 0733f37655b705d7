import { describe, expect, it } from "vitest";
import type { RunEvent, RunOutcome } from "../ipc";
import { run } from "../test/fixtures";
import { followLive, joinLive } from "./live";

const event = (kind: RunEvent["kind"]): RunEvent => ({
  runId: "run-1",
  kind,
  at: "2026-12-01T10:00:00Z",
  gate: null,
  since: null,
  scheduledFor: null,
  whoCanAct: null,
  message: kind,
  explanations: [],
  run: run({ terminal: false }),
});

describe("live runs", () => {
  it("hands a run page the events so far, then each new one, until the follow ends", async () => {
    let send: (e: RunEvent) => void = () => undefined;
    let finish: (o: RunOutcome) => void = () => undefined;
    const done = followLive("run-1", (onEvent) => {
      send = onEvent;
      return new Promise((resolve) => (finish = resolve));
    });
    send(event("deploying"));
    const seen: string[] = [];
    const joined = joinLive("run-1", (e) => seen.push(e.kind));
    expect(joined).not.toBeNull();
    send(event("importing"));
    expect(seen).toEqual(["deploying", "importing"]);
    joined!.leave();
    send(event("publishing"));
    expect(seen).toEqual(["deploying", "importing"]);
    finish({ run: run(), plan: null, explanations: [] });
    await done;
    expect(joinLive("run-1", () => undefined)).toBeNull();
  });

  it("knows no run nobody here follows, and forgets one whose follow failed", async () => {
    expect(joinLive("run-2", () => undefined)).toBeNull();
    const done = followLive("run-2", () => Promise.reject(new Error("host gone")));
    await expect(done).rejects.toThrow("host gone");
    expect(joinLive("run-2", () => undefined)).toBeNull();
  });
});
