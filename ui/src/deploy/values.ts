// The values a deployment needs — connection references and environment
// variables — and the engine's verdict on them. The rules live in Rust, once
// (crates/ops/src/values.rs, on ferry_solution's value checker): the form asks
// the engine as the maker types and shows what it says, so the app, the CLI and
// the deployment itself never disagree about a value.
import { useEffect, useRef, useState } from "react";
import { checkValues, toFerryError, type Check, type DeploymentValues, type Plan, type ValuesCheck } from "../ipc";

/** How a variable's value is entered (its widget); what the value may be is the engine's call. */
export type VariableType = "String" | "Number" | "Boolean" | "JSON" | "DataSource" | "Secret";

/** What the values form holds: connection ids and variable values by name. */
export interface Values {
  connections: Record<string, string>;
  variables: Record<string, string>;
}

/** The values to send: every connection chosen, every variable with a value (an empty one is left out). */
export function deploymentValues(values: Values): DeploymentValues {
  return {
    connectionReferences: Object.entries(values.connections)
      .filter(([, id]) => id)
      .map(([logicalName, connectionId]) => ({ logicalName, connectionId })),
    environmentVariables: Object.entries(values.variables)
      .filter(([, value]) => value.trim() !== "")
      .map(([schemaName, value]) => ({ schemaName, value })),
  };
}

/** The engine's values (after reading a settings file) as the form's. */
export function formValues(values: DeploymentValues): Values {
  return {
    connections: Object.fromEntries(values.connectionReferences.map((c) => [c.logicalName, c.connectionId])),
    variables: Object.fromEntries(values.environmentVariables.map((v) => [v.schemaName, v.value])),
  };
}

const RANK: Record<Check["severity"], number> = { error: 3, warning: 2, info: 1 };

/** The engine's word on each variable or connection reference: the most serious one per name. */
export function verdictsBySubject(check: ValuesCheck | null): Record<string, Check> {
  const out: Record<string, Check> = {};
  for (const c of check?.checks ?? []) {
    if (c.subject == null) continue;
    const had = out[c.subject];
    if (!had || RANK[c.severity] > RANK[had.severity]) out[c.subject] = c;
  }
  return out;
}

export interface ValuesVerdict {
  /** The latest verdict that arrived (kept while a newer one is on its way: no flicker). */
  check: ValuesCheck | null;
  /** A check for the current values is still on its way. */
  pending: boolean;
  /** Why the last check failed, if it did. */
  error: Error | null;
}

/** How long typing must pause before the engine is asked again. */
export const CHECK_DELAY_MS = 250;

/**
 * Asks the engine for its verdict on `values` — at once for the first values, then
 * once typing pauses for `delayMs`. An answer for values that changed since is
 * dropped; until the next one arrives, the last verdict stays on screen.
 */
export function useValuesCheck(plan: Plan, values: Values, delayMs = CHECK_DELAY_MS): ValuesVerdict {
  const [verdict, setVerdict] = useState<ValuesVerdict>({ check: null, pending: true, error: null });
  // The first values are checked at once; later ones once typing pauses.
  const asked = useRef(false);
  const sent = deploymentValues(values);
  const key = JSON.stringify(sent);
  useEffect(() => {
    let current = true;
    setVerdict((v) => (v.pending ? v : { ...v, pending: true }));
    const timer = setTimeout(
      () => {
        asked.current = true;
        checkValues({ plan, values: JSON.parse(key) as DeploymentValues, settingsJson: null })
          .then((check) => current && setVerdict({ check, pending: false, error: null }))
          .catch((e: unknown) => current && setVerdict((v) => ({ ...v, pending: false, error: toFerryError(e) })));
      },
      asked.current ? delayMs : 0,
    );
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [plan, key, delayMs]);
  return verdict;
}
