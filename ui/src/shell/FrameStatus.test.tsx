import { beforeEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import type { AccountInfo, HostStatus, ProfileInfo } from "../ipc";
import { FrameStatus } from "./FrameStatus";

const contoso: ProfileInfo = {
  id: "contoso",
  displayName: "Contoso",
  kind: "cloud",
  hostUrl: "http://127.0.0.1:5555",
  devEnvironment: "dev",
  authority: "http://127.0.0.1:5555",
  tenant: null,
  clientId: "",
  active: true,
  cloud: null,
  devEnvironmentName: null,
  devEnvironmentUrl: null,
  hostFound: null,
  signIn: null,
};

const ipc = vi.hoisted(() => ({ signedIn: true, signOuts: 0, kind: "cloud" as "cloud" | "localSandbox" }));

vi.mock("../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../ipc")>()),
  profiles: async () => [{ ...contoso, kind: ipc.kind }],
  status: async (): Promise<HostStatus> => ({
    profile: { ...contoso, kind: ipc.kind },
    online: ipc.signedIn,
    hostUrl: contoso.hostUrl,
    devEnvironmentName: ipc.signedIn ? "Contoso Dev" : null,
    account: null,
    problem: ipc.signedIn ? null : "not signed in",
    problemCode: ipc.signedIn ? null : "unauthorized",
  }),
  account: async (): Promise<AccountInfo | null> =>
    ipc.signedIn ? { profileId: "contoso", account: "mona@contoso.example", expiresAt: null } : null,
  signOut: async () => {
    ipc.signOuts += 1;
    ipc.signedIn = false;
  },
}));

function renderFrame() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <FluentProvider theme={webLightTheme}>
      <QueryClientProvider client={client}>
        <FrameStatus />
      </QueryClientProvider>
    </FluentProvider>,
  );
}

beforeEach(() => {
  ipc.signedIn = true;
  ipc.signOuts = 0;
  ipc.kind = "cloud";
  window.localStorage.setItem("ferry.welcomed", "1");
});

describe("the frame's account", () => {
  it("shows who is signed in, from the keyring, and signs out from its menu", async () => {
    renderFrame();
    const who = await screen.findByTestId("account");
    await waitFor(() => expect(who).toHaveTextContent("mona@contoso.example"));
    fireEvent.click(who);
    fireEvent.click(await screen.findByTestId("sign-out"));
    await waitFor(() => expect(ipc.signOuts).toBe(1));
    await waitFor(() => expect(screen.queryByTestId("account")).toBeNull());
    expect(await screen.findByTestId("connection-state")).toHaveTextContent("Not connected");
  });

  it("offers no sign-out for the Local sandbox", async () => {
    ipc.kind = "localSandbox";
    renderFrame();
    expect(await screen.findByTestId("account")).toHaveTextContent("mona@contoso.example");
    fireEvent.click(screen.getByTestId("account"));
    expect(screen.queryByTestId("sign-out")).toBeNull();
  });
});
