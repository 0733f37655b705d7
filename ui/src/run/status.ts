// A run's status code (`stagerunstatus`) in the words the UI uses for colour
// and filters: succeeded, failed, canceled, scheduled, waiting or running.
import type { RunSummary } from "../ipc";

export const STATUS = {
  notStarted: 200000000,
  started: 200000001,
  succeeded: 200000002,
  failed: 200000003,
  canceled: 200000004,
  scheduled: 200000005,
  validating: 200000006,
  validated: 200000007,
  preDeploymentInProgress: 200000008,
  preDeploymentSucceeded: 200000009,
  deploying: 200000010,
} as const;

/** Gate statuses on a run: 10 pending. */
const PENDING = 10;

export type Outcome = "succeeded" | "failed" | "canceled" | "scheduled" | "waiting" | "validated" | "running";

const OUTCOME_COLOR = {
  succeeded: "success",
  failed: "danger",
  canceled: "subtle",
  running: "brand",
  waiting: "warning",
  scheduled: "informative",
  validated: "informative",
} as const;

/** The badge colour of an outcome (run page, stage cards, history); unknown words are informative. */
export function outcomeColor(outcome: string): (typeof OUTCOME_COLOR)[Outcome] {
  return OUTCOME_COLOR[outcome as Outcome] ?? "informative";
}

export function outcomeOf(run: Pick<RunSummary, "status" | "approvalStatus" | "preDeploymentStepStatus" | "terminal">): Outcome {
  // A gate can hold a run in any unfinished state (validated, pre-deployment, …).
  if (!run.terminal && (run.approvalStatus === PENDING || run.preDeploymentStepStatus === PENDING)) return "waiting";
  switch (run.status) {
    case STATUS.succeeded:
      return "succeeded";
    case STATUS.failed:
      return "failed";
    case STATUS.canceled:
      return "canceled";
    case STATUS.scheduled:
      return "scheduled";
    case STATUS.validated:
      return "validated";
  }
  return "running";
}

/** The history filter's status choices, as `HistoryFilter.statuses` takes them. */
export const STATUS_FILTERS: { value: string; label: string }[] = [
  { value: "succeeded", label: "Succeeded" },
  { value: "failed", label: "Failed" },
  { value: "canceled", label: "Canceled" },
  { value: "running", label: "Not finished" },
  { value: "scheduled", label: "Scheduled" },
  { value: "validated", label: "Validated" },
];
