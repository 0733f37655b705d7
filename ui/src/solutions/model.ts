// Turns the engine's answers (ferry-ops types) into the solutions' models: the
// solutions table's rows and columns, and a solution's stage cards.
import type { Matrix, RunSummary, SolutionSummary, StageOverview } from "../ipc";
import { outcomeOf } from "../run/status";
import type { StageCardModel } from "./StageCard";
import type { SolutionRow } from "./SolutionsTable";

export function gatesOf(stage: Pick<StageOverview, "delegated" | "preDeploymentStep">): string[] {
  const gates: string[] = [];
  if (stage.delegated) gates.push("Approval");
  if (stage.preDeploymentStep) gates.push("Pre-deployment step");
  return gates;
}

export function lastRunOf(run: RunSummary | null): StageCardModel["lastRun"] {
  if (!run) return undefined;
  return {
    version: run.version ?? run.devVersion ?? "",
    statusLabel: run.statusLabel,
    outcome: outcomeOf(run),
    when: run.createdOn ?? run.startTime ?? "",
    by: run.createdBy ?? undefined,
  };
}

export function stageCardModel(stage: StageOverview): StageCardModel {
  const d = stage.deployability;
  return {
    id: stage.id,
    name: stage.name,
    targetName: stage.targetName ?? "its target environment",
    blockedReason: d && !d.deployable ? d.reason : undefined,
    gates: gatesOf(stage),
    lastRun: lastRunOf(stage.latestRun),
    // The pipeline lets an older package go back, and the stage has had one.
    canRedeploy: stage.enableRedeployment && stage.latestRun != null,
  };
}

/** Rows of the solutions table: dev version and, per stage, what the pipeline deployed there. */
export function solutionRows(solutions: SolutionSummary[], matrix: Matrix | undefined): SolutionRow[] {
  return solutions.map((s) => {
    const row = matrix?.rows.find((r) => r.solution.toLowerCase() === s.uniqueName.toLowerCase());
    return {
      uniqueName: s.uniqueName,
      displayName: s.friendlyName || s.uniqueName,
      version: s.version,
      stages: (row?.cells ?? []).map((c) => ({
        stageId: c.stageId,
        version: c.version ?? undefined,
        driftVersion:
          c.drift === "versionDiffers" || c.drift === "installedOutsidePipeline" || c.drift === "unmanaged"
            ? (c.installedVersion ?? "another version")
            : c.drift === "missingInTarget"
              ? "nothing"
              : undefined,
        installedBy:
          c.drift === "otherPipeline" && c.installedBy
            ? { version: c.installedVersion ?? "another version", by: c.installedBy }
            : undefined,
      })),
    };
  });
}

/** The matrix's columns, labelled with the pipeline when there are several. */
export function matrixColumns(matrix: Matrix | undefined): { id: string; name: string }[] {
  if (!matrix) return [];
  const pipelines = new Set(matrix.stages.map((s) => s.pipelineName));
  return matrix.stages.map((s) => ({
    id: s.stageId,
    name: pipelines.size > 1 ? `${s.stageName} (${s.pipelineName})` : s.stageName,
  }));
}
