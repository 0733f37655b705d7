// Turns the engine's answers (ferry-ops types) into the building blocks'
// models: stage cards, validation findings, solution rows, schedule times.
import type { Check, Explanation, Matrix, RunSummary, SolutionSummary, StageOverview } from "../ipc";
import { outcomeOf } from "../run/status";
import type { Finding, MissingSolution } from "./Findings";
import type { StageCardModel } from "./StageCard";
import type { SolutionRow } from "../solutions/SolutionsTable";

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

/** "install ContosoAnalyticsBase (needed for cont_metric, cont_kpi)" → a MissingSolution. */
export function parseMissing(detail: string): MissingSolution | null {
  const m = /^install (.+?)(?: \(needed for (.+)\))?$/.exec(detail.trim());
  if (!m) return null;
  return { solution: m[1], components: m[2] ? m[2].split(", ") : [] };
}

/**
 * The findings of a validation: the host's explained errors (missing dependencies
 * grouped by required solution) and the plan's own checks that are not about one value.
 */
export function findingsOf(
  explanations: Explanation[],
  checks: Check[],
): { findings: Finding[]; missing: MissingSolution[] } {
  const findings: Finding[] = [];
  const missing: MissingSolution[] = [];
  for (const e of explanations) {
    if (e.id === "missing-dependencies") {
      const parsed = e.details.map(parseMissing).filter((m): m is MissingSolution => m !== null);
      if (parsed.length > 0) {
        missing.push(...parsed);
        continue;
      }
    }
    const details = e.id === "missing-dependencies" ? "" : e.details.join(" ");
    findings.push({
      severity: "error",
      message: e.title,
      advice: [e.cause, e.nextStep, details].filter(Boolean).join(" "),
    });
  }
  for (const c of checks) {
    if (c.subject) continue;
    findings.push({ severity: c.severity, message: c.message });
  }
  return { findings, missing };
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

/** A `datetime-local` value (the maker's local time) as RFC 3339 UTC, or null when invalid. */
export function localToUtc(local: string): string | null {
  if (!local) return null;
  const at = new Date(local);
  return Number.isNaN(at.getTime()) ? null : at.toISOString().replace(/\.\d{3}Z$/, "Z");
}

const pad = (n: number) => String(n).padStart(2, "0");

/** A Date's local wall time as a `datetime-local` value (`YYYY-MM-DDTHH:MM`). */
function wallTime(at: Date): string {
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

/**
 * Why a local wall time cannot be scheduled as it reads, or null: a clock change skips it
 * (the platform would quietly move it an hour) or repeats it (two moments, an hour apart).
 */
export function clockChangeProblem(local: string): string | null {
  const at = new Date(local);
  if (!local || Number.isNaN(at.getTime())) return null;
  const asked = local.slice(0, 16);
  if (wallTime(at) !== asked) {
    return `${asked.replace("T", " ")} does not exist in your time zone: the clocks jump forward that night. Choose another time.`;
  }
  // Where clocks go back, the platform takes the first of the two moments; look for the second.
  for (const minutes of [30, 60, 120]) {
    if (wallTime(new Date(at.getTime() + minutes * 60_000)) === asked) {
      return `${asked.replace("T", " ")} happens twice in your time zone (the clocks go back that night). Choose a time outside that hour.`;
    }
  }
  return null;
}
