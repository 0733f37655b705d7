// A run's timeline (every state the cache saw) as the steps RunTimeline draws.
import type { RunEvent, RunSummary, TimelineItem } from "../ipc";
import type { TimelineStep } from "../deploy/RunTimeline";
import { outcomeOf, STATUS } from "./status";

function labelOf(item: TimelineItem): string {
  return item.step && item.step !== item.statusLabel ? `${item.statusLabel}: ${item.step}` : item.statusLabel;
}

/** The steps of a run, oldest first; the last one is live unless the run ended. */
export function stepsFor(run: RunSummary, timeline: TimelineItem[], latest?: RunEvent): TimelineStep[] {
  const items = [...timeline].sort((a, b) => a.at.localeCompare(b.at));
  // The same label twice in a row (a re-read of an unchanged state) is one step.
  const merged = items.filter((item, i) => i === 0 || labelOf(item) !== labelOf(items[i - 1]));
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
      if (latest && latest.runId === run.id) last.detail = latest.message;
    }
  }
  if (!run.terminal) {
    steps.push({ key: "end", label: "Deployed", state: "pending" });
  }
  return steps;
}
