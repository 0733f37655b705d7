// The deploy wizard's state and how it becomes the engine's requests.
import type { DeployRequest, Plan, PlanRequest } from "../../ipc";
import type { ConnectionSlot, VariableSlot } from "../ValuesForm";
import { deploymentValues, type Values, type VariableType } from "../values";
import { clockChangeProblem, localToUtc } from "../model";

export type WizardStep = "details" | "validate" | "values" | "summary";

export const STEPS: { id: WizardStep; label: string }[] = [
  { id: "details", label: "When and what" },
  { id: "validate", label: "Validate" },
  { id: "values", label: "Connections and variables" },
  { id: "summary", label: "Summary" },
];

export interface WizardState {
  when: "now" | "later";
  /** `datetime-local` value: the maker's local time. */
  localTime: string;
  version: string;
  notes: string;
  values: Values;
  /** The earlier run whose package this deployment puts back, or null for a new one. */
  redeployOf: string | null;
}

const KINDS: Record<string, VariableType> = {
  string: "String",
  number: "Number",
  boolean: "Boolean",
  json: "JSON",
  "data source": "DataSource",
  datasource: "DataSource",
  secret: "Secret",
};

export function variableType(kind: string): VariableType {
  return KINDS[kind.trim().toLowerCase()] ?? "String";
}

export function connectionSlots(plan: Plan): ConnectionSlot[] {
  return plan.connectionReferences.map((c) => ({
    logicalName: c.logicalName,
    displayName: c.displayName || c.logicalName,
    connectorId: c.connectorId,
    options: c.choices.map((o) => ({ id: o.id, displayName: o.displayName || o.id })),
  }));
}

export function variableSlots(plan: Plan): VariableSlot[] {
  return plan.environmentVariables.map((v) => ({
    schemaName: v.schemaName,
    displayName: v.displayName || v.schemaName,
    type: variableType(v.kind),
  }));
}

/** The plan's values (last used for this stage, else the defaults) as the form's. */
export function initialValues(plan: Plan): Values {
  const values: Values = { connections: {}, variables: {} };
  for (const c of plan.connectionReferences) {
    if (c.connectionId) values.connections[c.logicalName] = c.connectionId;
  }
  for (const v of plan.environmentVariables) {
    const value = v.value ?? v.defaultValue;
    if (value != null) values.variables[v.schemaName] = value;
  }
  return values;
}

export function initialState(plan: Plan): WizardState {
  return {
    when: "now",
    localTime: "",
    version: plan.version,
    notes: "",
    values: initialValues(plan),
    redeployOf: plan.redeploy?.runId ?? null,
  };
}

export function planRequest(solution: string, stage: string, state: WizardState, plan: Plan | undefined, withValues: boolean): PlanRequest {
  const version = state.version.trim();
  return {
    solution,
    stage,
    settingsJson: null,
    values: withValues ? deploymentValues(state.values) : null,
    version: version && plan && version !== plan.version ? version : null,
    redeployOf: state.redeployOf,
  };
}

/** Why the schedule cannot be used, or null. */
export function scheduleProblem(state: WizardState, now: Date): string | null {
  if (state.when === "now") return null;
  const utc = localToUtc(state.localTime);
  if (!utc) return "Choose the date and time to deploy at.";
  const clockChange = clockChangeProblem(state.localTime);
  if (clockChange) return clockChange;
  if (new Date(utc).getTime() <= now.getTime()) return "Choose a time in the future.";
  return null;
}

export function deployRequest(
  solution: string,
  stage: string,
  state: WizardState,
  plan: Plan,
  validatedRunId: string | null,
): DeployRequest {
  return {
    ...planRequest(solution, stage, state, plan, true),
    notes: state.notes.trim() || null,
    scheduledTime: state.when === "later" ? localToUtc(state.localTime) : null,
    runId: validatedRunId,
    // A deployment now is followed to its end, its events shown on the run page (one
    // follower, not two); a scheduled one is followed by the run page when it is near.
    wait: state.when === "now",
  };
}
