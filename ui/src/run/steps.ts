// A run's timeline (every state the cache saw) as the steps RunTimeline draws.
import type { RunEvent, RunSummary, TimelineItem } from "../ipc";
import type { TimelineStep } from "./RunTimeline";
import { outcomeOf, STATUS } from "./status";
import { formatWhen } from "../lib/days";

function labelOf(item: TimelineItem): string {
  return item.step && item.step !== item.statusLabel ? `${item.statusLabel}: ${item.step}` : item.statusLabel;
}

/** The state an item shows: a re-read, or Ferry's "Requested" before the host's own row, is the same state. */
function stateOf(item: TimelineItem): string {
  return `${item.status}|${item.step ?? ""}`;
}

const GATES: Record<string, string> = {
  approval: "approval",
  preDeploymentStep: "the pre-deployment step",
  preExportStep: "the pre-export step",
};

/** What the live step says, with times in the maker's own time zone. */
export function detailOf(event: RunEvent): string {
  if (event.kind === "waitingOnGate" && event.since) {
    const gate = (event.gate && GATES[event.gate]) ?? "a gate";
    return `Waiting on ${gate} since ${formatWhen(event.since)}`;
  }
  if (event.kind === "scheduled" && event.scheduledFor) {
    return `Scheduled for ${formatWhen(event.scheduledFor)}`;
  }
  return event.message;
}

/** The steps of a run, oldest first; the last one is live unless the run ended. */
export function stepsFor(run: RunSummary, timeline: TimelineItem[], latest?: RunEvent): TimelineStep[] {
  const items = [...timeline].sort((a, b) => a.at.localeCompare(b.at));
  // The same state twice in a row is one step, under its first label.
  const merged = items.filter((item, i) => i === 0 || stateOf(item) !== stateOf(items[i - 1]));
  const outcome = latest?.kind === "waitingOnGate" && latest.run.status === run.status ? "waiting" : outcomeOf(run);
  const steps: TimelineStep[] = merged.map((item, i) => ({
    key: `${i}-${item.status}-${item.step ?? ""}`,
    label: labelOf(item),
    state: "done",
    since: item.at,
    detail: item.detail ?? undefined,
  }));
  const last = steps[steps.length - 1];
  if (last) {
    if (run.terminal) {
      last.state = run.status === STATUS.succeeded ? "done" : "failed";
      if (run.errorMessage && run.status === STATUS.failed) last.detail = run.errorMessage;
    } else {
      last.state = outcome === "waiting" || outcome === "scheduled" || outcome === "validated" ? "waiting" : "active";
      if (latest && latest.runId === run.id) {
        last.detail = detailOf(latest);
        if (latest.kind === "waitingOnGate" && latest.whoCanAct) last.who = latest.whoCanAct;
      }
    }
  }
  if (!run.terminal) {
    steps.push({ key: "end", label: "Deployed", state: "pending" });
  }
  return steps;
}
