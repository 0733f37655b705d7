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
import { checkVariable, type VariableType } from "./values";

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

export interface Values {
  connections: Record<string, string>;
  variables: Record<string, string>;
}

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL, maxWidth: "640px" },
  section: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
});

/** The problems that keep these values from being deployed, one per slot. */
export function valueProblems(
  connections: ConnectionSlot[],
  variables: VariableSlot[],
  values: Values,
  targetName: string,
): Record<string, string> {
  const problems: Record<string, string> = {};
  for (const c of connections) {
    if (c.options.length === 0) {
      problems[c.logicalName] =
        `${targetName} has no ${c.displayName} connection. Create one there (Power Apps → Connections), then reopen this step.`;
    } else if (!values.connections[c.logicalName]) {
      problems[c.logicalName] = "Choose the connection this stage should use.";
    }
  }
  for (const v of variables) {
    const problem = checkVariable(v.type, values.variables[v.schemaName] ?? "");
    if (problem) problems[v.schemaName] = problem;
  }
  return problems;
}

export function ValuesForm({
  connections,
  variables,
  values,
  targetName,
  onChange,
}: {
  connections: ConnectionSlot[];
  variables: VariableSlot[];
  values: Values;
  targetName: string;
  onChange: (values: Values) => void;
}) {
  const styles = useStyles();
  const problems = valueProblems(connections, variables, values, targetName);
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
                validationMessage={problems[c.logicalName]}
                validationState={problems[c.logicalName] ? "error" : "success"}
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
            const problem = problems[v.schemaName];
            const label = `${v.displayName} (${v.schemaName}, ${v.type})`;
            const testId = `variable-${v.schemaName}`;
            return (
              <Field
                key={v.schemaName}
                label={label}
                validationMessage={problem}
                validationState={problem ? "error" : "none"}
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
                    type={v.type === "Number" ? "number" : "text"}
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
