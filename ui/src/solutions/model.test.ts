import { describe, expect, it } from "vitest";
import { matrixColumns, solutionRows, stageCardModel } from "./model";
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
