import { afterEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import type { Check, DeployRequest, OnRunEvent, PlanRequest, RunOutcome, ValuesCheck, ValuesRequest } from "../../ipc";
import { plan, run } from "../../test/fixtures";
import { joinLive } from "../../run/live";
import { DeployWizard } from "./DeployWizard";

const ipc = vi.hoisted(() => ({
  validate: (_r: PlanRequest, _op: string, _on: OnRunEvent): Promise<RunOutcome> => Promise.reject(new Error("unset")),
  deploy: (_r: DeployRequest, _op: string, _on: OnRunEvent): Promise<RunOutcome> => Promise.reject(new Error("unset")),
  plans: [] as PlanRequest[],
  saved: [] as { solution: string; text: string }[],
  // The engine's value checker, scripted: an unbound reference is an error, as the engine says.
  checkValues: (r: ValuesRequest): Check[] =>
    r.values.connectionReferences.length
      ? []
      : [{ severity: "error", subject: "cont_office", message: "cont_office needs a connection (shared_office365) in Contoso Test" }],
}));
vi.mock("../../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../ipc")>()),
  plan: async (r: PlanRequest) => {
    ipc.plans.push(r);
    const redeploy = r.redeployOf
      ? { runId: r.redeployOf, solution: "ContosoCore", stageId: "stage-test", version: "1.0.0.2", artifactId: "a2", deployedOn: "2026-11-20T10:00:00Z", current: false }
      : null;
    return plan({ ready: Boolean(r.values), redeploy, ...(redeploy ? { version: "1.0.0.2" } : {}) });
  },
  validate: (r: PlanRequest, op: string, on: OnRunEvent) => ipc.validate(r, op, on),
  deploy: (r: DeployRequest, op: string, on: OnRunEvent) => ipc.deploy(r, op, on),
  cancelOperation: async () => true,
  checkValues: async (r: ValuesRequest): Promise<ValuesCheck> => {
    const checks = ipc.checkValues(r);
    return {
      values: r.values,
      checks,
      ready: !checks.some((c) => c.severity === "error"),
      settingsJson: JSON.stringify({
        EnvironmentVariables: r.values.environmentVariables.map((v) => ({ SchemaName: v.schemaName, Value: v.value })),
        ConnectionReferences: r.values.connectionReferences.map((c) => ({ LogicalName: c.logicalName, ConnectionId: c.connectionId })),
      }),
      imported: null,
    };
  },
  saveSettingsFile: async (solution: string, text: string) => {
    ipc.saved.push({ solution, text });
    return `/tmp/out/${solution}.settings.json`;
  },
}));

const unbound = ipc.checkValues;
afterEach(() => {
  ipc.plans = [];
  ipc.saved = [];
  ipc.checkValues = unbound;
});

function renderWizard(navigate = vi.fn(), redeployOf: string | null = null) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <FluentProvider theme={webLightTheme}>
      <QueryClientProvider client={client}>
        <DeployWizard solution="ContosoCore" stageId="stage-test" redeployOf={redeployOf} navigate={navigate} />
      </QueryClientProvider>
    </FluentProvider>,
  );
  return navigate;
}

const event = (message: string) => ({
  runId: "run-1",
  kind: "validating" as const,
  at: "2026-12-01T10:00:00Z",
  gate: null,
  since: null,
  scheduledFor: null,
  whoCanAct: null,
  message,
  explanations: [],
  run: run({ status: 200000006, terminal: false }),
});

describe("DeployWizard", () => {
  it("shows validation live and blocks on a missing dependency, saying which", async () => {
    ipc.validate = async (_r, _op, on) => {
      on(event("Validating against Contoso Test."));
      return {
        run: run({ status: 200000003, statusLabel: "Failed" }),
        plan: null,
        explanations: [
          {
            id: "missing-dependencies",
            code: "0x8004801D",
            title: "Required solutions are missing in the target",
            cause: "c",
            nextStep: "n",
            details: ["install ContosoAnalyticsBase (needed for cont_metric)"],
          },
        ],
      };
    };
    renderWizard();
    fireEvent.click(await screen.findByTestId("start-validation"));
    expect(await screen.findByText("Validating against Contoso Test.")).toBeInTheDocument();
    expect(await screen.findByTestId("missing-solution")).toHaveTextContent("Needs ContosoAnalyticsBase");
    expect(screen.getByTestId("findings-verdict")).toHaveTextContent("cannot be deployed yet");
    expect(screen.getByTestId("to-values")).toBeDisabled();
    expect(screen.getByTestId("validate-again")).toBeEnabled();
  });

  it("redeploys an earlier run's package at its version, which cannot be changed", async () => {
    renderWizard(vi.fn(), "run-2");
    const version = await screen.findByTestId("version");
    expect(version).toHaveValue("1.0.0.2");
    expect(version).toBeDisabled();
    expect(screen.getByTestId("step-details")).toHaveTextContent("puts back the package");
    expect(ipc.plans[0].redeployOf).toBe("run-2");
  });

  it("deploys later at a day and time picked in local time, shown in local time with the zone", async () => {
    renderWizard();
    fireEvent.click(await screen.findByLabelText("Deploy later"));
    const day = screen.getByTestId("deploy-day") as HTMLInputElement;
    const time = screen.getByTestId("deploy-time") as HTMLInputElement;
    // A default two hours ahead at the most, on the hour.
    expect(day.value).not.toBe("");
    expect(time.value).toMatch(/^\d\d:00$/);
    fireEvent.change(day, { target: { value: "2030-05-04" } });
    fireEvent.keyDown(day, { key: "Enter" });
    fireEvent.change(time, { target: { value: "09:30" } });
    const local = new Date(2030, 4, 4, 9, 30).toLocaleString(undefined, { timeZoneName: "shortOffset" });
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    expect(await screen.findByText(`${local}, in your time zone (${zone}).`)).toBeInTheDocument();
  });

  it("goes from a passed validation through values and summary to Deploy", async () => {
    ipc.validate = async () => ({ run: run({ id: "run-7", status: 200000007, statusLabel: "Validation Succeeded", terminal: false }), plan: null, explanations: [] });
    let sent: DeployRequest | undefined;
    ipc.deploy = async (r) => {
      sent = r;
      return { run: run({ id: "run-7", status: 200000010, terminal: false }), plan: null, explanations: [] };
    };
    const navigate = renderWizard();
    fireEvent.change(await screen.findByTestId("notes"), { target: { value: "First release" } });
    fireEvent.click(screen.getByTestId("start-validation"));
    expect(await screen.findByText("Validation passed.")).toBeInTheDocument();
    fireEvent.click(screen.getByTestId("to-values"));
    // The connection is not chosen yet: Next waits for it.
    expect(screen.getByTestId("to-summary")).toBeDisabled();
    fireEvent.click(screen.getByTestId("connection-cont_office"));
    fireEvent.click(await screen.findByRole("option", { name: "svc-test@contoso.example" }));
    await waitFor(() => expect(screen.getByTestId("to-summary")).toBeEnabled());
    // The values go out as a pac settings file through the save dialog.
    fireEvent.click(screen.getByTestId("save-settings"));
    expect(await screen.findByTestId("values-note")).toHaveTextContent("Saved the deployment settings file to /tmp/out/ContosoCore.settings.json");
    const saved = JSON.parse(ipc.saved[0].text);
    expect(ipc.saved[0].solution).toBe("ContosoCore");
    expect(saved.ConnectionReferences).toEqual([
      expect.objectContaining({ LogicalName: "cont_office", ConnectionId: "test-office365" }),
    ]);
    expect(saved.EnvironmentVariables.map((v: { SchemaName: string }) => v.SchemaName)).toEqual(["cont_ApiBaseUrl", "cont_RetryCount"]);
    fireEvent.click(screen.getByTestId("to-summary"));
    expect(await screen.findByTestId("summary-when")).toHaveTextContent("Now");
    await waitFor(() => expect(screen.getByTestId("deploy-now")).toBeEnabled());
    fireEvent.click(screen.getByTestId("deploy-now"));
    await waitFor(() => expect(navigate).toHaveBeenCalledWith({ page: "run", runId: "run-7", from: "deploy" }));
    expect(sent).toMatchObject({
      solution: "ContosoCore",
      stage: "stage-test",
      runId: "run-7",
      notes: "First release",
      scheduledTime: null,
      wait: true,
      values: {
        connectionReferences: [{ logicalName: "cont_office", connectionId: "test-office365" }],
        environmentVariables: [
          { schemaName: "cont_ApiBaseUrl", value: "https://api.dev" },
          { schemaName: "cont_RetryCount", value: "5" },
        ],
      },
    });
    // One plan when the wizard opened: validation, summary and deployment go by it.
    expect(ipc.plans).toHaveLength(1);
  });

  it("opens the run page once the deployment is under way, its events going on there", async () => {
    ipc.validate = async () => ({ run: run({ id: "run-7", status: 200000007, statusLabel: "Validation Succeeded", terminal: false }), plan: null, explanations: [] });
    let send: OnRunEvent = () => undefined;
    ipc.deploy = (_r, _op, on) => {
      send = on;
      return new Promise(() => undefined);
    };
    ipc.checkValues = () => [];
    const navigate = renderWizard();
    fireEvent.click(await screen.findByTestId("start-validation"));
    expect(await screen.findByText("Validation passed.")).toBeInTheDocument();
    fireEvent.click(screen.getByTestId("to-values"));
    await waitFor(() => expect(screen.getByTestId("to-summary")).toBeEnabled());
    fireEvent.click(screen.getByTestId("to-summary"));
    await waitFor(() => expect(screen.getByTestId("deploy-now")).toBeEnabled());
    fireEvent.click(screen.getByTestId("deploy-now"));
    await waitFor(() => expect(send).not.toBe(undefined));
    const at = { ...event("x"), runId: "run-7" };
    send({ ...at, kind: "validated", run: run({ id: "run-7", status: 200000007, terminal: false }) });
    await Promise.resolve();
    expect(navigate).not.toHaveBeenCalled();
    const deploying = { ...at, kind: "deploying" as const, run: run({ id: "run-7", status: 200000010, terminal: false }) };
    send(deploying);
    await waitFor(() => expect(navigate).toHaveBeenCalledWith({ page: "run", runId: "run-7", from: "deploy" }));
    // The run page hears the deployment's events from here on.
    const heard: string[] = [];
    joinLive("run-7", (e) => heard.push(e.kind))!.leave();
    expect(heard).toEqual(["validated", "deploying"]);
  });

  async function toValues() {
    ipc.validate = async () => ({ run: run({ id: "run-7", status: 200000007, statusLabel: "Validation Succeeded", terminal: false }), plan: null, explanations: [] });
    renderWizard();
    fireEvent.click(await screen.findByTestId("start-validation"));
    expect(await screen.findByText("Validation passed.")).toBeInTheDocument();
    fireEvent.click(screen.getByTestId("to-values"));
    fireEvent.click(screen.getByTestId("connection-cont_office"));
    fireEvent.click(await screen.findByRole("option", { name: "svc-test@contoso.example" }));
  }

  it("blocks on a placeholder the engine refuses, with its words", async () => {
    ipc.checkValues = (r) =>
      r.values.environmentVariables.some((v) => v.value.startsWith("#{"))
        ? [{ severity: "error", subject: "cont_ApiBaseUrl", message: "cont_ApiBaseUrl: `#{ApiUrl}#` is a placeholder that was never replaced." }]
        : unbound(r);
    await toValues();
    fireEvent.change(screen.getByTestId("variable-cont_ApiBaseUrl"), { target: { value: "#{ApiUrl}#" } });
    expect(await screen.findByText(/is a placeholder that was never replaced/)).toBeInTheDocument();
    expect(screen.getByTestId("to-summary")).toBeDisabled();
    expect(screen.getByText("Fix the values marked above to go on.")).toBeInTheDocument();
  });

  it("lets an emptied Number with a default go on: the engine leaves it out and says so", async () => {
    ipc.checkValues = (r) => [
      ...unbound(r),
      ...(r.values.environmentVariables.some((v) => v.schemaName === "cont_RetryCount")
        ? []
        : [{ severity: "info" as const, subject: "cont_RetryCount", message: "cont_RetryCount gets no value from this deployment: the target keeps its value, or uses the default." }]),
    ];
    await toValues();
    fireEvent.change(screen.getByTestId("variable-cont_RetryCount"), { target: { value: "" } });
    expect(await screen.findByText(/the target keeps its value, or uses the default/)).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId("to-summary")).toBeEnabled());
    expect(screen.queryByText(/Enter a number/)).toBeNull();
  });
});
