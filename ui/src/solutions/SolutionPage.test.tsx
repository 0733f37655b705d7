import { describe, expect, it, vi } from "vitest";
import { render, screen, waitFor } from "@testing-library/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import { SolutionPage } from "./SolutionPage";

const HINT =
  "no pipeline is shared with you for Contoso Dev: either none deploys from it or none is shared with you. Ask an admin of the pipelines host (https://contoso-host.crm.dynamics.com) to link a pipeline to Contoso Dev and share it with you";

vi.mock("../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../ipc")>()),
  solutions: async () => [{ id: "1", uniqueName: "ContosoCore", friendlyName: "Contoso Core", version: "1.0.0.3", isManaged: false }],
  pipelines: async () => [],
  noPipelineHint: async () => HINT,
}));

describe("SolutionPage", () => {
  it("says whom to ask, in the engine's words, when no pipeline is offered", async () => {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <FluentProvider theme={webLightTheme}>
        <QueryClientProvider client={client}>
          <SolutionPage solution="ContosoCore" navigate={() => {}} />
        </QueryClientProvider>
      </FluentProvider>,
    );
    const hint = await screen.findByTestId("no-pipeline-hint");
    await waitFor(() => expect(hint).toHaveAttribute("aria-busy", "false"));
    expect(hint).toHaveTextContent("No pipeline is shared with you for Contoso Dev");
    expect(hint).toHaveTextContent("Ask an admin of the pipelines host (https://contoso-host.crm.dynamics.com)");
  });
});
