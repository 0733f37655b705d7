import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import type { HistoryResult, HostStatus, ProfileInfo } from "../ipc";
import { run } from "../test/fixtures";
import { AppShell } from "./AppShell";

const sandbox: ProfileInfo = {
  id: "sandbox",
  displayName: "Local sandbox",
  kind: "localSandbox",
  hostUrl: "",
  devEnvironment: "dev",
  authority: "",
  tenant: null,
  clientId: "",
  active: false,
  cloud: null,
  devEnvironmentName: null,
  devEnvironmentUrl: null,
  hostFound: null,
  signIn: null,
};

const ipc = vi.hoisted(() => ({
  active: false,
  online: true,
  switched: [] as string[],
}));

function status(): HostStatus {
  return {
    profile: { ...sandbox, active: true },
    online: ipc.online,
    hostUrl: "http://127.0.0.1:5555",
    devEnvironmentName: "Contoso Dev",
    account: "Ade Admin",
    problem: ipc.online ? null : "the host at http://127.0.0.1:5555 is not answering",
    problemCode: ipc.online ? null : "offline",
  };
}

vi.mock("../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../ipc")>()),
  profiles: async () => [{ ...sandbox, active: ipc.active }],
  switchProfile: async (id: string) => {
    ipc.switched.push(id);
    ipc.active = true;
    return { ...sandbox, active: true };
  },
  status: async () => status(),
  solutions: async () => [{ id: "1", uniqueName: "ContosoCore", friendlyName: "Contoso Core", version: "1.0.0.3", isManaged: false }],
  matrix: async () => ({ stages: [], rows: [], online: true }),
  history: async (): Promise<HistoryResult> => ({ runs: [run()], nextOffset: null }),
  syncHistory: async () => ({ fetched: 0, inserted: 0, transitions: 0 }),
}));

function renderShell() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <FluentProvider theme={webLightTheme}>
      <QueryClientProvider client={client}>
        <AppShell theme={{ scheme: "light", preference: "system", setPreference: () => undefined }} />
      </QueryClientProvider>
    </FluentProvider>,
  );
}

describe("the frame", () => {
  it("connects to the Local sandbox in one click and shows profile and account", async () => {
    // The engine makes the sandbox the profile in use; a first start still asks.
    ipc.active = true;
    ipc.online = true;
    window.localStorage.clear();
    renderShell();
    fireEvent.click(await screen.findByTestId("use-sandbox"));
    expect(await screen.findByTestId("solution-ContosoCore")).toBeInTheDocument();
    expect(ipc.switched).toEqual(["sandbox"]);
    expect(await screen.findByTestId("active-profile")).toHaveTextContent("Local sandbox");
    expect(screen.getByTestId("account")).toHaveTextContent("Ade Admin");
    expect(screen.getByTestId("connection-state")).toHaveTextContent("Connected");
    expect(screen.queryByTestId("offline-banner")).toBeNull();
  });

  it("shows the offline banner and keeps history browsable", async () => {
    ipc.active = true;
    ipc.online = false;
    window.localStorage.setItem("ferry.welcomed", "1");
    renderShell();
    expect(await screen.findByTestId("offline-banner")).toHaveTextContent("History and run details still open");
    fireEvent.click(screen.getByTestId("nav-history"));
    // jsdom has no layout, so the virtual list renders no rows: its label counts them.
    await waitFor(() => expect(screen.getByTestId("history-list")).toHaveAttribute("aria-label", "1 deployments"));
    expect(screen.getByText("1 deployment")).toBeInTheDocument();
    expect(screen.getByTestId("connection-state")).toHaveTextContent("Offline");
  });
});
