import { describe, expect, it } from "vitest";
import { detailOf, stepsFor } from "./steps";
import { outcomeOf } from "./status";
import { run } from "../test/fixtures";

const CODES: Record<string, number> = { Requested: 200000000, NotStarted: 200000000, Validating: 200000006, Deploying: 200000010, Failed: 200000003 };

const item = (at: string, statusLabel: string, step: string | null = null) => ({
  at,
  observedAt: at,
  status: CODES[statusLabel] ?? 0,
  statusLabel,
  step,
  detail: null,
});

describe("run steps", () => {
  it("mark the last step live while the run goes on, with the latest message", () => {
    const live = run({ status: 200000010, statusLabel: "Deploying", terminal: false, endTime: null });
    const steps = stepsFor(
      live,
      [item("2026-12-01T10:00:05Z", "Deploying", "Importing Solution"), item("2026-12-01T10:00:00Z", "Validating")],
      { runId: "run-1", kind: "importing", at: "x", gate: null, since: null, scheduledFor: null, whoCanAct: null, message: "Importing into Contoso Test.", explanations: [], run: live },
    );
    expect(steps.map((s) => [s.label, s.state])).toEqual([
      ["Validating", "done"],
      ["Deploying: Importing Solution", "active"],
      ["Deployed", "pending"],
    ]);
    expect(steps[1].detail).toBe("Importing into Contoso Test.");
  });

  it("end failed with the host's error, and merge repeated states", () => {
    const failed = run({ status: 200000003, statusLabel: "Failed", errorMessage: "Import failed." });
    const steps = stepsFor(failed, [item("1", "Validating"), item("2", "Validating"), item("3", "Failed")]);
    expect(steps.map((s) => s.state)).toEqual(["done", "failed"]);
    expect(steps[1].detail).toBe("Import failed.");
  });

  it("show Ferry's Requested and the host's NotStarted as one step", () => {
    const failed = run({ status: 200000003, statusLabel: "Failed" });
    const steps = stepsFor(failed, [item("1", "Requested"), item("2", "NotStarted"), item("3", "Validating"), item("4", "Failed")]);
    expect(steps.map((s) => s.label)).toEqual(["Requested", "Validating", "Failed"]);
  });

  it("say since when a gate waits in the maker's own time zone", () => {
    const waiting = run({ status: 200000007, approvalStatus: 10, terminal: false });
    const since = "2026-12-01T15:17:28Z";
    const event = { runId: "run-1", kind: "waitingOnGate" as const, at: since, gate: "approval" as const, since, scheduledFor: null, whoCanAct: "Pat Approver, the stage owner, can approve or reject.", message: `Waiting on approval since ${since}`, explanations: [], run: waiting };
    expect(detailOf(event)).toBe(`Waiting on approval since ${new Date(since).toLocaleString(undefined, { timeZoneName: "shortOffset" })}`);
    expect(detailOf({ ...event, kind: "importing", gate: null, since: null, message: "Importing" })).toBe("Importing");
  });

  it("name who can act on the gate the run waits on", () => {
    const waiting = run({ status: 200000007, approvalStatus: 10, terminal: false });
    const since = "2026-12-01T15:17:28Z";
    const event = { runId: "run-1", kind: "waitingOnGate" as const, at: since, gate: "approval" as const, since, scheduledFor: null, whoCanAct: "Pat Approver, the stage owner, can approve or reject.", message: "", explanations: [], run: waiting };
    const steps = stepsFor(waiting, [item("1", "Requested"), item("2", "Validating")], event);
    const live = steps.find((s) => s.state === "waiting");
    expect(live?.who).toBe("Pat Approver, the stage owner, can approve or reject.");
    const importing = stepsFor(run({ status: 200000010, terminal: false }), [item("1", "Importing")], { ...event, kind: "importing", gate: null, since: null });
    expect(importing.some((s) => s.who)).toBe(false);
  });

  it("tell waiting on a gate from running", () => {
    expect(outcomeOf(run({ status: 200000008, approvalStatus: 10, terminal: false }))).toBe("waiting");
    // Held at approval right after validation: waiting, not merely validated.
    expect(outcomeOf(run({ status: 200000007, approvalStatus: 10, terminal: false }))).toBe("waiting");
    expect(outcomeOf(run({ status: 200000010, terminal: false }))).toBe("running");
    expect(outcomeOf(run({ status: 200000007, terminal: false }))).toBe("validated");
    expect(outcomeOf(run({ status: 200000003, approvalStatus: 10 }))).toBe("failed");
  });
});
