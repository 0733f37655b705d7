import { describe, expect, it } from "vitest";
import { fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import type { Check } from "../ipc";
import { ValuesForm, type ConnectionSlot, type Values, type VariableSlot } from "./ValuesForm";

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

function Harness({ initial, verdicts }: { initial: Values; verdicts: Record<string, Check> }) {
  const [values, setValues] = useState(initial);
  return (
    <>
      <ValuesForm connections={[office, sql]} variables={vars} values={values} verdicts={verdicts} targetName="Contoso Test" onChange={setValues} />
      <output data-testid="values">{JSON.stringify(values)}</output>
    </>
  );
}

describe("ValuesForm", () => {
  it("shows the engine's verdict on each value, and only that", () => {
    const verdicts: Record<string, Check> = {
      cont_sql: { severity: "error", subject: "cont_sql", message: "Contoso Test has no shared_sql connection for cont_sql: create one there" },
      cont_Config: { severity: "warning", subject: "cont_Config", message: "cont_Config has no value and no default" },
      cont_Retries: { severity: "info", subject: "cont_Retries", message: "cont_Retries gets no value from this deployment" },
    };
    render(<Harness initial={{ connections: { cont_office: "test-office365" }, variables: { cont_Config: "{bad" } }} verdicts={verdicts} />);
    expect(screen.getByText(/Contoso Test has no shared_sql connection/)).toBeInTheDocument();
    expect(screen.getByText(/cont_Config has no value and no default/)).toBeInTheDocument();
    expect(screen.getByText(/cont_Retries gets no value/)).toBeInTheDocument();
    // No rule of its own: invalid JSON the engine has not judged yet is not called invalid.
    expect(screen.queryByText(/not valid JSON/)).toBeNull();
  });

  it("lets any text into a Number, so the engine can say what is wrong with it", () => {
    render(<Harness initial={{ connections: {}, variables: {} }} verdicts={{}} />);
    const retries = screen.getByTestId("variable-cont_Retries");
    fireEvent.change(retries, { target: { value: "12,5" } });
    expect(retries).toHaveValue("12,5");
    expect(screen.getByTestId("values")).toHaveTextContent('"cont_Retries":"12,5"');
  });
});
