import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, within } from "@testing-library/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import type { RedeployCandidate } from "../ipc";
import { RedeployDialog } from "./RedeployDialog";
import { StageCard } from "./StageCard";

const candidate = (runId: string, version: string, current: boolean): RedeployCandidate => ({
  runId,
  solution: "ContosoCore",
  stageId: "stage-prod",
  version,
  artifactId: `artifact-${runId}`,
  deployedOn: "2026-11-20T10:00:00Z",
  current,
});

const ipc = vi.hoisted(() => ({ asked: [] as string[][], answer: [] as RedeployCandidate[] }));
vi.mock("../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../ipc")>()),
  redeployCandidates: async (solution: string, stage: string) => {
    ipc.asked.push([solution, stage]);
    return ipc.answer;
  },
}));

function renderDialog(onPick = vi.fn()) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <FluentProvider theme={webLightTheme}>
      <QueryClientProvider client={client}>
        <RedeployDialog target={{ solution: "ContosoCore", stageId: "stage-prod", stageName: "Approved Prod" }} onPick={onPick} onClose={() => undefined} />
      </QueryClientProvider>
    </FluentProvider>,
  );
  return onPick;
}

describe("RedeployDialog", () => {
  it("lists the stage's earlier successful packages, newest first, and picks one", async () => {
    ipc.answer = [candidate("run-5", "1.0.0.5", true), candidate("run-4", "1.0.0.4", false)];
    const onPick = renderDialog();
    const items = await screen.findAllByTestId("redeploy-candidate");
    expect(items).toHaveLength(2);
    expect(ipc.asked).toContainEqual(["ContosoCore", "stage-prod"]);
    expect(within(items[0]).getByText("In Approved Prod now")).toBeInTheDocument();
    expect(within(items[1]).queryByText("In Approved Prod now")).toBeNull();
    fireEvent.click(screen.getByTestId("redeploy-run-4"));
    expect(onPick).toHaveBeenCalledWith(expect.objectContaining({ runId: "run-4", version: "1.0.0.4" }));
  });

  it("says so when nothing has succeeded there yet", async () => {
    ipc.answer = [];
    renderDialog();
    expect(await screen.findByText(/nothing to put back/)).toBeInTheDocument();
  });
});

describe("StageCard redeploy", () => {
  const stage = { id: "stage-prod", name: "Approved Prod", targetName: "Contoso Prod", gates: [] };

  it("offers Redeploy only where the pipeline allows it", () => {
    const onRedeploy = vi.fn();
    const { rerender } = render(
      <FluentProvider theme={webLightTheme}>
        <StageCard stage={{ ...stage, canRedeploy: true }} onDeploy={() => undefined} onRedeploy={onRedeploy} />
      </FluentProvider>,
    );
    fireEvent.click(screen.getByTestId("redeploy-open-stage-prod"));
    expect(onRedeploy).toHaveBeenCalledWith("stage-prod");
    rerender(
      <FluentProvider theme={webLightTheme}>
        <StageCard stage={{ ...stage, canRedeploy: false }} onDeploy={() => undefined} onRedeploy={onRedeploy} />
      </FluentProvider>,
    );
    expect(screen.queryByTestId("redeploy-open-stage-prod")).toBeNull();
  });
});
