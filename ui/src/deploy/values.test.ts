import { describe, expect, it } from "vitest";
import { checkVariable, connectorName, exportSettings, importSettings } from "./values";

describe("variable checks", () => {
  it("accepts good values and explains bad ones", () => {
    expect(checkVariable("Number", "3.5")).toBeNull();
    expect(checkVariable("Number", "three")).toMatch(/number/);
    expect(checkVariable("Boolean", "true")).toBeNull();
    expect(checkVariable("Boolean", "No")).toBeNull();
    expect(checkVariable("Boolean", "maybe")).toMatch(/yes or no/);
    expect(checkVariable("JSON", '{"a":1}')).toBeNull();
    expect(checkVariable("JSON", "{a:1}")).toMatch(/not valid JSON/);
    expect(checkVariable("String", "")).toBeNull();
    expect(checkVariable("DataSource", " ")).toMatch(/data source/);
    const ref =
      "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv/secrets/api-key";
    expect(checkVariable("Secret", ref)).toBeNull();
    expect(checkVariable("Secret", "hunter2")).toMatch(/Key Vault reference/);
  });
});

describe("deployment settings files", () => {
  it("round-trips through export and import", () => {
    const file = exportSettings(
      [{ schemaName: "cont_Url", type: "String", value: "https://x" }],
      [{ logicalName: "cont_sql", connectorId: "/providers/Microsoft.PowerApps/apis/shared_sql", connectionId: "c1" }],
    );
    const back = importSettings(JSON.stringify(file), ["cont_Url"], ["cont_sql"]);
    expect(back.variables.get("cont_Url")).toBe("https://x");
    expect(back.connections.get("cont_sql")).toBe("c1");
    expect(back.unknown).toEqual([]);
  });

  it("matches names case-insensitively, reports strangers, skips empty connections", () => {
    const text =
      "\uFEFF" +
      JSON.stringify({
        EnvironmentVariables: [{ SchemaName: "CONT_URL", Value: "v" }, { SchemaName: "other_X", Value: "1" }],
        ConnectionReferences: [{ LogicalName: "cont_sql", ConnectionId: "" }],
      });
    const back = importSettings(text, ["cont_Url"], ["cont_sql"]);
    expect(back.variables.get("cont_Url")).toBe("v");
    expect(back.connections.size).toBe(0);
    expect(back.unknown).toEqual(["other_X", "cont_sql"]);
  });

  it("refuses files that are not settings files, saying why", () => {
    expect(() => importSettings("nope", [], [])).toThrow(/not JSON/);
    expect(() => importSettings("{}", [], [])).toThrow(/not a deployment settings file/);
  });

  it("shortens connector ids", () => {
    expect(connectorName("/providers/Microsoft.PowerApps/apis/shared_sql")).toBe("shared_sql");
  });
});
