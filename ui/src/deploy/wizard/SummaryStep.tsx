import { Text, makeStyles, tokens } from "@fluentui/react-components";
import type { Plan } from "../../ipc";
import type { ValuesVerdict } from "../values";
import { ErrorNote } from "../../components/ErrorNote";
import { Findings } from "../../components/Findings";
import { localToUtc } from "../model";
import type { WizardState } from "./state";
import { connectionSlots, variableSlots } from "./state";
import { formatWhen } from "../../lib/days";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL, maxWidth: "720px" },
  facts: {
    display: "grid",
    gridTemplateColumns: "max-content 1fr",
    columnGap: tokens.spacingHorizontalXL,
    rowGap: tokens.spacingVerticalS,
    margin: 0,
  },
  term: { color: tokens.colorNeutralForeground3 },
  value: { margin: 0, wordBreak: "break-word" },
});

/**
 * What will be sent, for a last look before Deploy: the plan's own findings and the engine's
 * verdict on the values (no plan again: the deployment plans with what its validation read).
 */
export function SummaryStep({ plan, state, verdict }: { plan: Plan; state: WizardState; verdict: ValuesVerdict }) {
  const styles = useStyles();
  const at = state.when === "later" ? localToUtc(state.localTime) : null;
  const variables = variableSlots(plan);
  const connections = connectionSlots(plan);
  const problems = [...plan.checks.filter((c) => c.subject == null), ...(verdict.check?.checks ?? [])].filter(
    (c) => c.severity !== "info",
  );
  return (
    <div className={styles.root} data-testid="step-summary">
      <dl className={styles.facts}>
        <dt className={styles.term}>Solution</dt>
        <dd className={styles.value}>
          {plan.solution.friendlyName || plan.solution.uniqueName} {state.version || plan.version}
        </dd>
        {plan.redeploy && (
          <>
            <dt className={styles.term}>Package</dt>
            <dd className={styles.value} data-testid="summary-redeploy">
              Redeploys the package of an earlier run
              {plan.redeploy.deployedOn ? ` (deployed ${formatWhen(plan.redeploy.deployedOn)})` : ""}
            </dd>
          </>
        )}
        <dt className={styles.term}>To</dt>
        <dd className={styles.value}>
          {plan.stage.name} → {plan.stage.targetName ?? "its target"} ({plan.pipelineName})
        </dd>
        <dt className={styles.term}>When</dt>
        <dd className={styles.value} data-testid="summary-when">
          {at ? formatWhen(at) : "Now"}
        </dd>
        {state.notes.trim() && (
          <>
            <dt className={styles.term}>Notes</dt>
            <dd className={styles.value}>{state.notes.trim()}</dd>
          </>
        )}
        {connections.map((c) => (
          <div key={c.logicalName} style={{ display: "contents" }}>
            <dt className={styles.term}>{c.displayName}</dt>
            <dd className={styles.value}>
              {c.options.find((o) => o.id === state.values.connections[c.logicalName])?.displayName ?? "—"}
            </dd>
          </div>
        ))}
        {variables.map((v) => (
          <div key={v.schemaName} style={{ display: "contents" }}>
            <dt className={styles.term}>{v.displayName}</dt>
            <dd className={styles.value}>
              {v.type === "Secret" ? "Key Vault reference (not shown)" : state.values.variables[v.schemaName] || "the target's value"}
            </dd>
          </div>
        ))}
      </dl>
      {(plan.stage.delegated || plan.stage.preDeploymentStep) && (
        <Text>
          This stage has {[plan.stage.delegated && "an approval", plan.stage.preDeploymentStep && "a pre-deployment step"].filter(Boolean).join(" and ")}: the
          run waits there until it passes. Ferry tells you when it starts waiting.
        </Text>
      )}
      {problems.length > 0 && (
        <Findings findings={problems.map((c) => ({ severity: c.severity, message: c.message }))} missing={[]} />
      )}
      {verdict.error != null && <ErrorNote title="Could not check the values" error={verdict.error} />}
    </div>
  );
}
