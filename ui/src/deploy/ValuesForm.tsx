import {
  Dropdown,
  Field,
  Input,
  Option,
  Switch,
  Textarea,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import type { Check } from "../ipc";
import type { Values, VariableType } from "./values";

export type { Values } from "./values";

export interface ConnectionSlot {
  logicalName: string;
  displayName: string;
  connectorId: string;
  /** The target's connections for this connector. */
  options: { id: string; displayName: string }[];
}

export interface VariableSlot {
  schemaName: string;
  displayName: string;
  type: VariableType;
}

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL, maxWidth: "640px" },
  section: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
});

/** How a verdict of the engine colours its field. */
function state(verdict: Check | undefined, fallback: "success" | "none"): "error" | "warning" | "success" | "none" {
  if (verdict?.severity === "error") return "error";
  if (verdict?.severity === "warning") return "warning";
  return verdict ? "none" : fallback;
}

/**
 * The values form. What is wrong with a value is the engine's verdict
 * (`verdicts`, by variable or reference name): the form only shows it.
 */
export function ValuesForm({
  connections,
  variables,
  values,
  verdicts,
  targetName,
  onChange,
}: {
  connections: ConnectionSlot[];
  variables: VariableSlot[];
  values: Values;
  /** The engine's latest word on each value, by name. */
  verdicts: Record<string, Check>;
  targetName: string;
  onChange: (values: Values) => void;
}) {
  const styles = useStyles();
  const setConnection = (name: string, id: string) =>
    onChange({ ...values, connections: { ...values.connections, [name]: id } });
  const setVariable = (name: string, value: string) =>
    onChange({ ...values, variables: { ...values.variables, [name]: value } });

  return (
    <div className={styles.root}>
      {connections.length > 0 && (
        <section className={styles.section} aria-label="Connection references">
          <Text weight="semibold">Connections in {targetName}</Text>
          {connections.map((c) => {
            const chosen = c.options.find((o) => o.id === values.connections[c.logicalName]);
            return (
              <Field
                key={c.logicalName}
                label={`${c.displayName} (${c.logicalName})`}
                validationMessage={verdicts[c.logicalName]?.message}
                validationState={state(verdicts[c.logicalName], chosen ? "success" : "none")}
              >
                <Dropdown
                  placeholder={c.options.length ? "Choose a connection" : "No connection available"}
                  disabled={c.options.length === 0}
                  value={chosen?.displayName ?? ""}
                  selectedOptions={chosen ? [chosen.id] : []}
                  onOptionSelect={(_, d) => d.optionValue && setConnection(c.logicalName, d.optionValue)}
                  data-testid={`connection-${c.logicalName}`}
                >
                  {c.options.map((o) => (
                    <Option key={o.id} value={o.id}>
                      {o.displayName}
                    </Option>
                  ))}
                </Dropdown>
              </Field>
            );
          })}
        </section>
      )}
      {variables.length > 0 && (
        <section className={styles.section} aria-label="Environment variables">
          <Text weight="semibold">Environment variables</Text>
          {variables.map((v) => {
            const value = values.variables[v.schemaName] ?? "";
            const verdict = verdicts[v.schemaName];
            const label = `${v.displayName} (${v.schemaName}, ${v.type})`;
            const testId = `variable-${v.schemaName}`;
            return (
              <Field
                key={v.schemaName}
                label={label}
                validationMessage={verdict?.message}
                validationState={state(verdict, "none")}
                hint={v.type === "Secret" ? "A Key Vault secret reference; the secret itself never leaves Key Vault." : undefined}
              >
                {v.type === "Boolean" ? (
                  <Switch
                    checked={["true", "yes"].includes(value.toLowerCase())}
                    label={["true", "yes"].includes(value.toLowerCase()) ? "Yes" : "No"}
                    onChange={(_, d) => setVariable(v.schemaName, d.checked ? "true" : "false")}
                    data-testid={testId}
                  />
                ) : v.type === "JSON" ? (
                  <Textarea
                    value={value}
                    resize="vertical"
                    onChange={(_, d) => setVariable(v.schemaName, d.value)}
                    data-testid={testId}
                  />
                ) : (
                  <Input
                    value={value}
                    // Text, not a number input: the browser would blank what it cannot
                    // parse, and the engine's verdict on it could never be shown.
                    inputMode={v.type === "Number" ? "decimal" : undefined}
                    onChange={(_, d) => setVariable(v.schemaName, d.value)}
                    data-testid={testId}
                  />
                )}
              </Field>
            );
          })}
        </section>
      )}
    </div>
  );
}
