import { describe, expect, it } from "vitest";
import { fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import { ValuesForm, valueProblems, type ConnectionSlot, type Values, type VariableSlot } from "./ValuesForm";

const office: ConnectionSlot = {
  logicalName: "cont_office",
  displayName: "Office 365 Outlook",
  connectorId: "/providers/Microsoft.PowerApps/apis/shared_office365",
  options: [{ id: "test-office365", displayName: "svc-test@contoso.example" }],
};
const sql: ConnectionSlot = { ...office, logicalName: "cont_sql", displayName: "SQL Server", options: [] };
const vars: VariableSlot[] = [
  { schemaName: "cont_Config", displayName: "Config", type: "JSON" },
  { schemaName: "cont_Retries", displayName: "Retries", type: "Number" },
];

function Harness({ initial }: { initial: Values }) {
  const [values, setValues] = useState(initial);
  return (
    <ValuesForm connections={[office, sql]} variables={vars} values={values} targetName="Contoso Test" onChange={setValues} />
  );
}

describe("ValuesForm", () => {
  it("explains a missing connection and how to create one", () => {
    const problems = valueProblems([sql], [], { connections: {}, variables: {} }, "Contoso Test");
    expect(problems.cont_sql).toMatch(/Contoso Test has no SQL Server connection\. Create one there/);
  });

  it("validates JSON as the maker types", () => {
    render(<Harness initial={{ connections: { cont_office: "test-office365" }, variables: { cont_Retries: "3" } }} />);
    const json = screen.getByTestId("variable-cont_Config");
    fireEvent.change(json, { target: { value: "{bad" } });
    expect(screen.getByText(/not valid JSON/)).toBeInTheDocument();
    fireEvent.change(json, { target: { value: '{"ok": true}' } });
    expect(screen.queryByText(/not valid JSON/)).toBeNull();
  });

  it("is complete only when every slot has a valid value", () => {
    const values: Values = {
      connections: { cont_office: "test-office365" },
      variables: { cont_Config: "{}", cont_Retries: "3" },
    };
    expect(valueProblems([office], vars, values, "T")).toEqual({});
    expect(Object.keys(valueProblems([office], vars, { ...values, connections: {} }, "T"))).toEqual(["cont_office"]);
  });
});
