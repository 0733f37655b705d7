import { describe, expect, it } from "vitest";
import { stepsFor } from "./steps";
import { outcomeOf } from "./status";
import { run } from "../test/fixtures";

const item = (at: string, statusLabel: string, step: string | null = null) => ({
  at,
  observedAt: at,
  status: 0,
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
      { runId: "run-1", kind: "importing", at: "x", gate: null, since: null, scheduledFor: null, message: "Importing into Contoso Test.", explanations: [], run: live },
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

  it("tell waiting on a gate from running", () => {
    expect(outcomeOf(run({ status: 200000008, approvalStatus: 10, terminal: false }))).toBe("waiting");
    // Held at approval right after validation: waiting, not merely validated.
    expect(outcomeOf(run({ status: 200000007, approvalStatus: 10, terminal: false }))).toBe("waiting");
    expect(outcomeOf(run({ status: 200000010, terminal: false }))).toBe("running");
    expect(outcomeOf(run({ status: 200000007, terminal: false }))).toBe("validated");
    expect(outcomeOf(run({ status: 200000003, approvalStatus: 10 }))).toBe("failed");
  });
});
