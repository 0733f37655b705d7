import { describe, expect, it } from "vitest";
import { clockChangeProblem, findingsOf, localToUtc, matrixColumns, parseMissing, solutionRows, stageCardModel } from "./model";
import { run, stage } from "../test/fixtures";

describe("stage cards", () => {
  it("say why a stage is blocked and show its gates and last run", () => {
    const model = stageCardModel(
      stage({
        delegated: true,
        preDeploymentStep: true,
        deployability: { deployable: false, reason: "Deploy to Test first", version: null },
        latestRun: run({ status: 200000003, statusLabel: "Failed" }),
      }),
    );
    expect(model.blockedReason).toBe("Deploy to Test first");
    expect(model.gates).toEqual(["Approval", "Pre-deployment step"]);
    expect(model.lastRun).toMatchObject({ version: "1.0.0.4", outcome: "failed", by: "Mona Maker" });
    expect(stageCardModel(stage()).blockedReason).toBeUndefined();
  });

  it("offer a redeployment where the pipeline allows one and the stage has had a run", () => {
    expect(stageCardModel(stage({ enableRedeployment: true, latestRun: run() })).canRedeploy).toBe(true);
    expect(stageCardModel(stage({ enableRedeployment: true })).canRedeploy).toBe(false);
    expect(stageCardModel(stage({ latestRun: run() })).canRedeploy).toBe(false);
  });
});

describe("validation findings", () => {
  it("group missing dependencies by the solution they need", () => {
    expect(parseMissing("install ContosoAnalyticsBase (needed for cont_metric, cont_kpi)")).toEqual({
      solution: "ContosoAnalyticsBase",
      components: ["cont_metric", "cont_kpi"],
    });
    const { findings, missing } = findingsOf(
      [
        {
          id: "missing-dependencies",
          code: "0x8004801D",
          title: "Required solutions are missing in the target",
          cause: "c",
          nextStep: "n",
          details: ["install ContosoAnalyticsBase (needed for cont_metric)"],
        },
        { id: "throttled", code: null, title: "Too many requests", cause: "Busy.", nextStep: "Wait.", details: [] },
      ],
      [
        { severity: "warning", subject: null, message: "The target has a newer version" },
        { severity: "error", subject: "cont_x", message: "about one value: shown in the form" },
      ],
    );
    expect(missing).toEqual([{ solution: "ContosoAnalyticsBase", components: ["cont_metric"] }]);
    expect(findings).toEqual([
      { severity: "error", message: "Too many requests", advice: "Busy. Wait." },
      { severity: "warning", message: "The target has a newer version" },
    ]);
  });
});

describe("solutions and the matrix", () => {
  it("put what each stage has beside the dev version, with drift", () => {
    const matrix = {
      online: true,
      stages: [
        { pipelineName: "Release", stageId: "t", stageName: "Test", targetName: "Contoso Test" },
        { pipelineName: "Gated", stageId: "g", stageName: "Prod", targetName: "Contoso Prod" },
      ],
      rows: [
        {
          solution: "ContosoCore",
          devVersion: "1.0.0.3",
          cells: [
            { stageId: "t", version: "1.0.0.4", deployedOn: null, deployedBy: null, runId: null, installedVersion: "1.0.0.4", drift: "inSync" as const },
            { stageId: "g", version: "1.0.0.2", deployedOn: null, deployedBy: null, runId: null, installedVersion: "1.0.0.9", drift: "versionDiffers" as const },
          ],
        },
      ],
    };
    const rows = solutionRows(
      [{ id: "1", uniqueName: "ContosoCore", friendlyName: "Contoso Core", version: "1.0.0.3", isManaged: false }],
      matrix,
    );
    expect(rows[0].stages).toEqual([
      { stageId: "t", version: "1.0.0.4", driftVersion: undefined },
      { stageId: "g", version: "1.0.0.2", driftVersion: "1.0.0.9" },
    ]);
    expect(matrixColumns(matrix).map((c) => c.name)).toEqual(["Test (Release)", "Prod (Gated)"]);
    expect(solutionRows([{ id: "2", uniqueName: "X", friendlyName: "", version: "1", isManaged: false }], undefined)[0]).toMatchObject({
      displayName: "X",
      stages: [],
    });
  });
});

describe("schedule times", () => {
  it("send the maker's local time as UTC", () => {
    const utc = localToUtc("2026-12-01T18:30");
    expect(utc).toMatch(/^2026-12-0[12]T\d\d:30:00Z$/);
    expect(new Date(utc!).getTime()).toBe(new Date("2026-12-01T18:30").getTime());
    expect(localToUtc("")).toBeNull();
    expect(localToUtc("not a time")).toBeNull();
  });
});

describe("clock changes", () => {
  it("refuse a local time the clocks skip or repeat", () => {
    const zone = process.env.TZ;
    // Paris springs forward at 02:00 on 28 March 2027 and falls back at 03:00 on 31 October 2027.
    process.env.TZ = "Europe/Paris";
    try {
      expect(clockChangeProblem("2027-03-28T02:30")).toMatch(/does not exist/);
      expect(clockChangeProblem("2027-10-31T02:30")).toMatch(/happens twice/);
      expect(clockChangeProblem("2027-10-31T03:30")).toBeNull();
      expect(clockChangeProblem("2027-03-28T03:30")).toBeNull();
      expect(clockChangeProblem("2026-12-08T18:00")).toBeNull();
      expect(clockChangeProblem("")).toBeNull();
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });
});
