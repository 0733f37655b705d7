// The values a deployment needs — connection references and environment
// variables — with the checks a maker sees as they type, and the `pac`
// deployment settings file format (import and export).

export type VariableType = "String" | "Number" | "Boolean" | "JSON" | "DataSource" | "Secret";

export interface VariableValue {
  schemaName: string;
  type: VariableType;
  value: string;
}

export interface ConnectionChoice {
  logicalName: string;
  connectorId: string;
  connectionId: string;
}

/** A Key Vault secret reference, as Power Platform stores Secret variables. */
const KEY_VAULT_REF =
  /^\/subscriptions\/[0-9a-f-]{36}\/resourceGroups\/[^/]+\/providers\/Microsoft\.KeyVault\/vaults\/[^/]+\/secrets\/[^/]+$/i;

/** What is wrong with a value for its type, in words for the maker, or null. */
export function checkVariable(type: VariableType, value: string): string | null {
  const text = value.trim();
  switch (type) {
    case "String":
      return null;
    case "Number":
      return text !== "" && Number.isFinite(Number(text))
        ? null
        : "Enter a number, like 42 or 3.5.";
    case "Boolean":
      // The platform accepts yes/no as well as true/false.
      return ["true", "false", "yes", "no"].includes(text.toLowerCase()) ? null : "Choose yes or no.";
    case "JSON":
      try {
        JSON.parse(text);
        return null;
      } catch (e) {
        return `This is not valid JSON: ${(e as Error).message}`;
      }
    case "DataSource":
      return text !== "" ? null : "Enter the data source for this environment.";
    case "Secret":
      return KEY_VAULT_REF.test(text)
        ? null
        : "Enter a Key Vault reference: /subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.KeyVault/vaults/{vault}/secrets/{name}.";
  }
}

/** The `pac solution create-settings` file shape. */
export interface DeploymentSettingsFile {
  EnvironmentVariables: { SchemaName: string; Value: string }[];
  ConnectionReferences: { LogicalName: string; ConnectionId: string; ConnectorId?: string }[];
}

export function exportSettings(
  variables: VariableValue[],
  connections: ConnectionChoice[],
): DeploymentSettingsFile {
  return {
    EnvironmentVariables: variables.map((v) => ({ SchemaName: v.schemaName, Value: v.value })),
    ConnectionReferences: connections.map((c) => ({
      LogicalName: c.logicalName,
      ConnectionId: c.connectionId,
      ConnectorId: c.connectorId,
    })),
  };
}

export interface ImportedSettings {
  variables: Map<string, string>;
  connections: Map<string, string>;
  /** Entries of the file that this solution does not have (shown, not applied). */
  unknown: string[];
}

/**
 * Reads a deployment settings file against the names the solution has.
 * Throws an Error with a maker-readable message when the file is not one.
 */
export function importSettings(
  text: string,
  knownVariables: string[],
  knownConnections: string[],
): ImportedSettings {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (e) {
    throw new Error(`This file is not JSON (${(e as Error).message}). Choose a deployment settings file made by pac solution create-settings or exported by Ferry.`);
  }
  const file = doc as Partial<DeploymentSettingsFile>;
  if (!doc || typeof doc !== "object" || (!Array.isArray(file.EnvironmentVariables) && !Array.isArray(file.ConnectionReferences))) {
    throw new Error("This JSON has no EnvironmentVariables or ConnectionReferences: it is not a deployment settings file.");
  }
  const result: ImportedSettings = { variables: new Map(), connections: new Map(), unknown: [] };
  const vars = new Set(knownVariables.map((n) => n.toLowerCase()));
  const refs = new Set(knownConnections.map((n) => n.toLowerCase()));
  for (const v of file.EnvironmentVariables ?? []) {
    if (typeof v?.SchemaName !== "string") continue;
    const match = knownVariables.find((n) => n.toLowerCase() === v.SchemaName.toLowerCase());
    if (match && vars.has(match.toLowerCase())) result.variables.set(match, String(v.Value ?? ""));
    else result.unknown.push(v.SchemaName);
  }
  for (const c of file.ConnectionReferences ?? []) {
    if (typeof c?.LogicalName !== "string") continue;
    const match = knownConnections.find((n) => n.toLowerCase() === c.LogicalName.toLowerCase());
    if (match && refs.has(match.toLowerCase()) && c.ConnectionId) result.connections.set(match, c.ConnectionId);
    else result.unknown.push(c.LogicalName);
  }
  return result;
}

/** The connector's short name: `/providers/Microsoft.PowerApps/apis/shared_sql` → `shared_sql`. */
export function connectorName(connectorId: string): string {
  const parts = connectorId.split("/").filter(Boolean);
  return parts[parts.length - 1] ?? connectorId;
}
