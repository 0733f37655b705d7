import { Text, makeStyles, mergeClasses, tokens } from "@fluentui/react-components";
import {
  CheckmarkCircle20Filled,
  Circle20Regular,
  DismissCircle20Filled,
  Clock20Regular,
  ArrowSync20Regular,
} from "@fluentui/react-icons";

/** One step of a run as the maker reads it. */
export interface TimelineStep {
  key: string;
  label: string;
  state: "done" | "active" | "waiting" | "failed" | "pending";
  /** ISO time the step started, if it has. */
  since?: string;
  /** A sentence under the label: what failed, since when it waits, when it is scheduled. */
  detail?: string;
  /** For a step waiting on a gate: who can act on it. */
  who?: string;
}

const useStyles = makeStyles({
  list: { listStyle: "none", margin: 0, padding: 0 },
  step: {
    display: "grid",
    gridTemplateColumns: "24px 1fr auto",
    columnGap: tokens.spacingHorizontalM,
    paddingBlock: tokens.spacingVerticalS,
    position: "relative",
  },
  icon: { display: "flex", justifyContent: "center", paddingTop: "2px" },
  done: { color: tokens.colorPaletteGreenForeground1 },
  failed: { color: tokens.colorPaletteRedForeground1 },
  active: { color: tokens.colorBrandForeground1 },
  waiting: { color: tokens.colorPaletteMarigoldForeground1 },
  pending: { color: tokens.colorNeutralForeground4 },
  body: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXXS },
  time: { color: tokens.colorNeutralForeground3, fontVariantNumeric: "tabular-nums" },
});

const ICONS = {
  done: CheckmarkCircle20Filled,
  failed: DismissCircle20Filled,
  active: ArrowSync20Regular,
  waiting: Clock20Regular,
  pending: Circle20Regular,
} as const;

const STATE_WORDS = {
  done: "done",
  failed: "failed",
  active: "in progress",
  waiting: "waiting",
  pending: "not started",
} as const;

/** "3 s", "2 min 5 s", "1 h 4 min" between two instants. */
export function formatElapsed(fromIso: string, to: Date): string {
  const seconds = Math.max(0, Math.round((to.getTime() - new Date(fromIso).getTime()) / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function RunTimeline({ steps, now }: { steps: TimelineStep[]; now: Date }) {
  const styles = useStyles();
  return (
    <ol className={styles.list} aria-label="Run progress" data-testid="run-timeline">
      {steps.map((step, index) => {
        const Icon = ICONS[step.state];
        const next = steps[index + 1];
        const end = next?.since ? new Date(next.since) : now;
        return (
          <li key={step.key} className={styles.step} data-state={step.state} data-step={step.key}>
            <span className={mergeClasses(styles.icon, styles[step.state])} aria-hidden>
              <Icon />
            </span>
            <span className={styles.body}>
              <Text weight={step.state === "active" || step.state === "waiting" ? "semibold" : "regular"}>
                {step.label}
                <span className="visually-hidden">, {STATE_WORDS[step.state]}</span>
              </Text>
              {step.detail && <Text size={200}>{step.detail}</Text>}
              {step.who && (
                <Text size={200} data-testid="gate-actor">
                  {step.who}
                </Text>
              )}
            </span>
            <Text size={200} className={styles.time}>
              {step.since && step.state !== "pending" ? formatElapsed(step.since, end) : ""}
            </Text>
          </li>
        );
      })}
    </ol>
  );
}
