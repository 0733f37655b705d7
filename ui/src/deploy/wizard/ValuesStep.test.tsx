import { afterEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { useState } from "react";
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import { FerryError, type ValuesCheck, type ValuesRequest } from "../../ipc";
import { plan } from "../../test/fixtures";
import { useValuesCheck, type Values } from "../values";
import { ValuesStep } from "./ValuesStep";

const engine = vi.hoisted(() => ({
  requests: [] as ValuesRequest[],
  saved: [] as string[],
  answer: (_r: ValuesRequest): ValuesCheck => {
    throw new Error("unset");
  },
}));
vi.mock("../../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../ipc")>()),
  checkValues: async (r: ValuesRequest) => {
    engine.requests.push(r);
    return engine.answer(r);
  },
  saveSettingsFile: async (_solution: string, text: string) => {
    engine.saved.push(text);
    return "/tmp/out/ContosoCore.settings.json";
  },
}));

// jsdom's File cannot read itself back; a browser's can.
const file = (text: string, name: string) => Object.assign(new File([text], name), { text: async () => text });

afterEach(() => {
  engine.requests = [];
  engine.saved = [];
});

const ok = (r: ValuesRequest): ValuesCheck => ({
  values: r.values,
  checks: [],
  ready: true,
  settingsJson: `{"from":"the engine","values":${JSON.stringify(r.values)}}`,
  imported: null,
});

function Harness({ initial }: { initial: Values }) {
  const p = plan();
  const [values, setValues] = useState(initial);
  const verdict = useValuesCheck(p, values, 0);
  return (
    <FluentProvider theme={webLightTheme}>
      <ValuesStep plan={p} values={values} verdict={verdict} onChange={setValues} />
      <output data-testid="values">{JSON.stringify(values)}</output>
    </FluentProvider>
  );
}

describe("ValuesStep", () => {
  it("shows the engine's verdict on a placeholder the UI used to let through", async () => {
    engine.answer = (r) => ({
      ...ok(r),
      ready: false,
      checks: [{ severity: "error", subject: "cont_ApiBaseUrl", message: "cont_ApiBaseUrl: `#{ApiUrl}#` is a placeholder that was never replaced." }],
    });
    render(<Harness initial={{ connections: {}, variables: { cont_ApiBaseUrl: "#{ApiUrl}#" } }} />);
    expect(await screen.findByText(/is a placeholder that was never replaced/)).toBeInTheDocument();
    expect(engine.requests[0].values.environmentVariables).toEqual([{ schemaName: "cont_ApiBaseUrl", value: "#{ApiUrl}#" }]);
    expect(engine.requests[0].settingsJson).toBeNull();
  });

  it("reads a settings file through the engine and takes its values", async () => {
    engine.answer = (r) =>
      r.settingsJson
        ? {
            ...ok(r),
            values: {
              environmentVariables: [{ schemaName: "cont_ApiBaseUrl", value: "https://file" }],
              connectionReferences: [{ logicalName: "cont_office", connectionId: "test-office365" }],
            },
            imported: { variables: 1, connections: 1, ignored: ["other_X"] },
          }
        : ok(r);
    render(<Harness initial={{ connections: {}, variables: { cont_ApiBaseUrl: "https://form" } }} />);
    const text = '{"EnvironmentVariables":[{"SchemaName":"cont_ApiBaseUrl","Value":"https://file"}]}';
    fireEvent.change(screen.getByLabelText("Deployment settings file"), {
      target: { files: [file(text, "test.settings.json")] },
    });
    expect(await screen.findByTestId("values-note")).toHaveTextContent(
      "Read test.settings.json: 1 variables, 1 connections. Not in this solution, so left out: other_X.",
    );
    const sent = engine.requests.find((r) => r.settingsJson);
    expect(sent?.settingsJson).toBe(text);
    expect(sent?.values.environmentVariables).toEqual([{ schemaName: "cont_ApiBaseUrl", value: "https://form" }]);
    expect(JSON.parse(screen.getByTestId("values").textContent ?? "")).toEqual({
      connections: { cont_office: "test-office365" },
      variables: { cont_ApiBaseUrl: "https://file" },
    });
  });

  it("says why a file is not a settings file, in the engine's words", async () => {
    engine.answer = (r) => {
      if (r.settingsJson) throw new FerryError("invalid_input", "the file has no EnvironmentVariables or ConnectionReferences: it is not a deployment settings file");
      return ok(r);
    };
    render(<Harness initial={{ connections: {}, variables: {} }} />);
    fireEvent.change(screen.getByLabelText("Deployment settings file"), {
      target: { files: [file("{}", "package.json")] },
    });
    expect(await screen.findByTestId("values-note")).toHaveTextContent("it is not a deployment settings file");
  });

  it("saves the settings file the engine writes for the current values", async () => {
    engine.answer = ok;
    render(<Harness initial={{ connections: { cont_office: "test-office365" }, variables: { cont_RetryCount: "5" } }} />);
    fireEvent.click(screen.getByTestId("save-settings"));
    expect(await screen.findByTestId("values-note")).toHaveTextContent("Saved the deployment settings file to /tmp/out/ContosoCore.settings.json");
    await waitFor(() => expect(engine.saved).toHaveLength(1));
    expect(JSON.parse(engine.saved[0])).toEqual({
      from: "the engine",
      values: {
        connectionReferences: [{ logicalName: "cont_office", connectionId: "test-office365" }],
        environmentVariables: [{ schemaName: "cont_RetryCount", value: "5" }],
      },
    });
  });
});
