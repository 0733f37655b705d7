import { describe, expect, it } from "vitest";
import { deployRequest, initialState, planRequest, scheduleProblem, variableType } from "./state";
import { plan } from "../../test/fixtures";

describe("deploy wizard state", () => {
  it("starts from the plan: proposed version, last values, defaults", () => {
    const s = initialState(plan());
    expect(s.version).toBe("1.0.0.4");
    expect(s.values.variables).toEqual({ cont_ApiBaseUrl: "https://api.dev", cont_RetryCount: "5" });
    expect(s.values.connections).toEqual({});
    expect(variableType("Data source")).toBe("DataSource");
    expect(variableType("secret")).toBe("Secret");
  });

  it("sends a typed version only when it differs, and values only when asked", () => {
    const p = plan();
    const s = initialState(p);
    expect(planRequest("ContosoCore", "t", s, p, false)).toMatchObject({ version: null, values: null });
    const typed = { ...s, version: "2.0.0.0", values: { connections: { cont_office: "test-office365" }, variables: { cont_ApiBaseUrl: "  " } } };
    expect(planRequest("ContosoCore", "t", typed, p, true)).toMatchObject({
      version: "2.0.0.0",
      values: { connectionReferences: [{ logicalName: "cont_office", connectionId: "test-office365" }], environmentVariables: [] },
    });
  });

  it("a redeployment names its earlier run and keeps that package's version", () => {
    const p = plan({
      version: "1.0.0.2",
      redeploy: { runId: "run-2", solution: "ContosoCore", stageId: "t", version: "1.0.0.2", artifactId: "a2", deployedOn: null, current: false },
    });
    const s = initialState(p);
    expect(s.redeployOf).toBe("run-2");
    expect(deployRequest("ContosoCore", "t", s, p, null)).toMatchObject({ redeployOf: "run-2", version: null });
    expect(planRequest("ContosoCore", "t", initialState(plan()), plan(), false).redeployOf).toBeNull();
  });

  it("schedules in UTC and refuses a time in the past", () => {
    const p = plan();
    const later = { ...initialState(p), when: "later" as const, localTime: "2030-01-02T03:04", notes: " why " };
    const req = deployRequest("ContosoCore", "t", later, p, "run-9");
    expect(req.scheduledTime).toBe(new Date("2030-01-02T03:04").toISOString().replace(".000", ""));
    expect(req).toMatchObject({ runId: "run-9", notes: "why", wait: false });
    expect(scheduleProblem(later, new Date("2026-01-01"))).toBeNull();
    expect(scheduleProblem(later, new Date("2031-01-01"))).toMatch(/future/);
    expect(scheduleProblem({ ...later, localTime: "" }, new Date())).toMatch(/Choose the date/);
    expect(scheduleProblem({ ...later, when: "now" }, new Date())).toBeNull();
  });
});
