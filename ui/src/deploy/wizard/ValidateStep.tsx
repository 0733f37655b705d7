import { Spinner, Text, makeStyles, tokens } from "@fluentui/react-components";
import type { Plan, RunEvent, RunOutcome } from "../../ipc";
import { ErrorNote } from "../../components/ErrorNote";
import { STATUS } from "../../run/status";
import { Findings, findingsOf } from "../../components/Findings";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, maxWidth: "720px" },
  events: { margin: 0, paddingInlineStart: tokens.spacingHorizontalXL },
  time: { color: tokens.colorNeutralForeground3, fontVariantNumeric: "tabular-nums" },
});

/** Whether a validation lets the maker go on: it ended validated (warnings don't block). */
export function validationPassed(outcome: RunOutcome | undefined): boolean {
  return Boolean(outcome && outcome.run.status === STATUS.validated);
}

/** Validation against the target: live progress, then the results explained. */
export function ValidateStep({
  plan,
  events,
  outcome,
  error,
  running,
}: {
  plan: Plan;
  events: RunEvent[];
  outcome?: RunOutcome;
  error?: unknown;
  running: boolean;
}) {
  const styles = useStyles();
  const { findings, missing } = findingsOf(outcome?.explanations ?? [], outcome?.plan?.checks ?? plan.checks);
  const failed = outcome && !validationPassed(outcome);
  if (failed && findings.length === 0 && missing.length === 0) {
    findings.push({
      severity: "error",
      message: outcome.run.statusLabel,
      advice: outcome.run.errorMessage ?? "The host gave no reason; open the run in History for its timeline.",
    });
  }
  return (
    <div className={styles.root} data-testid="step-validate">
      {running && <Spinner size="small" label={`Validating against ${plan.stage.targetName ?? "the target"}…`} labelPosition="after" />}
      <ol className={styles.events} aria-label="Validation progress" aria-live="polite" data-testid="validation-events">
        {events.map((e, i) => (
          <li key={i}>
            <Text size={200} className={styles.time}>
              {new Date(e.at).toLocaleTimeString()}
            </Text>{" "}
            <Text>{e.message}</Text>
          </li>
        ))}
      </ol>
      {outcome && <Findings findings={findings} missing={missing} />}
      {error != null && <ErrorNote title="Validation could not run" error={error} testId="validation-error" />}
    </div>
  );
}
