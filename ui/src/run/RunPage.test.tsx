import { afterEach, describe, expect, it, vi } from "vitest";
import { render, screen, waitFor } from "@testing-library/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import type { OnRunEvent, RunRecord, RunSummary } from "../ipc";
import { run } from "../test/fixtures";
import { followLive } from "./live";
import { RunPage } from "./RunPage";

const ipc = vi.hoisted(() => ({
  run: undefined as unknown as RunSummary,
  watched: [] as string[],
  onEvent: undefined as OnRunEvent | undefined,
  importFailed: false,
}));

vi.mock("../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../ipc")>()),
  runRecord: async (): Promise<RunRecord> => ({
    run: ipc.run,
    settings: null,
    explanations:
      ipc.run.status === 200000003
        ? [{ id: "throttled", code: null, title: "The host is busy", cause: "Too many requests.", nextStep: "Retry in a minute.", details: [] }]
        : [],
    timeline: [
      ...(ipc.importFailed
        ? [{ at: "2026-12-01T09:59:00Z", observedAt: "2026-12-01T09:59:00Z", status: 200000010, statusLabel: "Deploying", step: "Importing Solution", detail: null }]
        : []),
      { at: "2026-12-01T10:00:00Z", observedAt: "2026-12-01T10:00:00Z", status: ipc.run.status, statusLabel: ipc.run.statusLabel, step: null, detail: null },
    ],
  }),
  exportRun: async () => "# record",
  watchRun: (runId: string, _op: string, onEvent: OnRunEvent) => {
    ipc.watched.push(runId);
    ipc.onEvent = onEvent;
    return new Promise(() => undefined);
  },
  cancelOperation: async () => true,
  status: async () => ({ online: true, problemCode: null }),
  profiles: async () => [],
}));

afterEach(() => {
  ipc.watched = [];
  ipc.importFailed = false;
});

function renderRun(from: "deploy" | "history") {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <FluentProvider theme={webLightTheme}>
      <QueryClientProvider client={client}>
        <RunPage runId={ipc.run.id} from={from} navigate={() => undefined} />
      </QueryClientProvider>
    </FluentProvider>,
  );
}

describe("RunPage", () => {
  it("follows a run that goes on and shows when it waits on a gate", async () => {
    ipc.run = run({ status: 200000007, statusLabel: "Validation Succeeded", terminal: false, endTime: null });
    renderRun("deploy");
    await waitFor(() => expect(ipc.watched).toEqual(["run-1"]));
    ipc.onEvent!({
      runId: "run-1",
      kind: "waitingOnGate",
      at: "2026-12-01T10:00:05Z",
      gate: "approval",
      since: "2026-12-01T10:00:05Z",
      scheduledFor: null,
      whoCanAct: "Pat Approver, the stage owner, can approve or reject.",
      message: "Waiting on approval since 10:00.",
      explanations: [],
      run: ipc.run,
    });
    expect(await screen.findByTestId("run-status")).toHaveTextContent("Waiting on approval");
    // Since when, in the maker's own time zone.
    const since = new Date("2026-12-01T10:00:05Z").toLocaleString(undefined, { timeZoneName: "shortOffset" });
    expect(screen.getByText(`Waiting on approval since ${since}`)).toBeInTheDocument();
    expect(screen.getByTestId("gate-actor")).toHaveTextContent("Pat Approver, the stage owner, can approve or reject.");
    expect(screen.getByTestId("cancel-run")).toBeInTheDocument();
  });

  it("shows the events of a deployment this window follows already instead of following it again", async () => {
    ipc.run = run({ status: 200000010, statusLabel: "Deploying", terminal: false, endTime: null });
    let send: OnRunEvent = () => undefined;
    void followLive("run-1", (onEvent) => {
      send = onEvent;
      return new Promise(() => undefined);
    });
    const gate = {
      runId: "run-1",
      kind: "waitingOnGate" as const,
      at: "2026-12-01T10:00:05Z",
      gate: "approval" as const,
      since: "2026-12-01T10:00:05Z",
      scheduledFor: null,
      whoCanAct: "Pat Approver, the stage owner, can approve or reject.",
      message: "Waiting on approval since 10:00.",
      explanations: [],
      run: ipc.run,
    };
    renderRun("deploy");
    expect(await screen.findByText("Following live")).toBeInTheDocument();
    send(gate);
    expect(await screen.findByTestId("run-status")).toHaveTextContent("Waiting on approval");
    expect(ipc.watched).toEqual([]);
  });

  it("does not follow a validation nobody deployed, and says what to do", async () => {
    ipc.run = run({ status: 200000007, statusLabel: "Validation Succeeded", terminal: false, endTime: null });
    renderRun("history");
    expect(await screen.findByTestId("waits-for-maker")).toHaveTextContent("Validated, not deployed");
    expect(ipc.watched).toEqual([]);
  });

  it("explains a failure and offers a retry", async () => {
    ipc.run = run({ status: 200000003, statusLabel: "Failed" });
    renderRun("history");
    expect(await screen.findByText("The host is busy")).toBeInTheDocument();
    expect(screen.getByText(/Retry in a minute\./)).toBeInTheDocument();
    expect(screen.getByTestId("retry-run")).toBeInTheDocument();
    expect(ipc.watched).toEqual([]);
  });

  it("says Retry, not validate again, when the import failed", async () => {
    ipc.run = run({ status: 200000003, statusLabel: "Failed" });
    ipc.importFailed = true;
    renderRun("history");
    expect(await screen.findByTestId("findings-verdict")).toHaveTextContent("The deployment failed after validating. Fix what is below, then press Retry.");
  });
});
