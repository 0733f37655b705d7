// Validation findings as the maker reads them: the host's explained errors and the
// plan's own checks, shown by the deploy wizard and by a run's page.
import {
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import type { Check, Explanation } from "../ipc";

/** One validation finding, already explained for the maker. */
export interface Finding {
  severity: "error" | "warning" | "info";
  /** What is wrong. */
  message: string;
  /** What to do about it, when known. */
  advice?: string;
}

/** Components a solution needs from one other solution the target lacks. */
export interface MissingSolution {
  solution: string;
  minVersion?: string;
  components: string[];
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

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  components: { margin: 0, paddingInlineStart: tokens.spacingHorizontalXL },
});

const INTENT = { error: "error", warning: "warning", info: "info" } as const;

/** Validation findings: errors first (they block), then warnings and notes (they don't). */
export function Findings({
  findings,
  missing,
  verdict,
}: {
  findings: Finding[];
  missing: MissingSolution[];
  /** Says it instead of the validation verdict (a deployment that failed after validating). */
  verdict?: string;
}) {
  const styles = useStyles();
  const order = { error: 0, warning: 1, info: 2 };
  const sorted = [...findings].sort((a, b) => order[a.severity] - order[b.severity]);
  const blocking = findings.some((f) => f.severity === "error") || missing.length > 0;
  return (
    <section className={styles.root} aria-label="Validation results" data-testid="findings">
      <Text weight="semibold" data-testid="findings-verdict">
        {verdict
          ? verdict
          : blocking
          ? "This solution cannot be deployed yet. Fix the errors below, then validate again."
          : findings.length > 0
            ? "Validation passed. Read the warnings before you deploy."
            : "Validation passed."}
      </Text>
      {missing.map((m) => (
        <MessageBar key={m.solution} intent="error" layout="multiline" data-testid="missing-solution">
          <MessageBarBody>
            <MessageBarTitle>
              Needs {m.solution}
              {m.minVersion ? ` ${m.minVersion} or later` : ""} in the target
            </MessageBarTitle>
            Deploy {m.solution} to this stage first (or ask its owner to), then validate again. It
            provides:
            <ul className={styles.components}>
              {m.components.map((c) => (
                <li key={c}>{c}</li>
              ))}
            </ul>
          </MessageBarBody>
        </MessageBar>
      ))}
      {sorted.map((f, i) => (
        <MessageBar key={i} intent={INTENT[f.severity]} layout="multiline" data-testid="finding">
          <MessageBarBody>
            <MessageBarTitle>{f.message}</MessageBarTitle>
            {f.advice}
          </MessageBarBody>
        </MessageBar>
      ))}
    </section>
  );
}
