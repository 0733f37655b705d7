import { describe, expect, it, vi } from "vitest";
import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import type { ConnectionOffer } from "../ipc";
import { LaunchedConnection } from "./LaunchedConnection";

const ipc = vi.hoisted(() => ({ onLink: null as ((link: string) => void) | null, read: [] as string[] }));

const OFFER: ConnectionOffer = {
  name: "Contoso",
  signIn: { cloud: "public", tenant: "contoso.onmicrosoft.com", clientId: "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e", method: "browser", environment: null, caFile: null },
};

vi.mock("../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../ipc")>()),
  profiles: async () => [],
  builtInClientId: async () => null,
  connectionLinks: async (onLink: (link: string) => void) => {
    ipc.onLink = onLink;
    return null;
  },
  readConnection: async (text: string) => {
    ipc.read.push(text);
    if (text.includes("broken")) throw { code: "invalid_input", message: "the link's version \"x\" is not a number like 1" };
    return OFFER;
  },
}));

function renderIt() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <FluentProvider theme={webLightTheme}>
      <QueryClientProvider client={client}>
        <LaunchedConnection onConnected={() => undefined} />
      </QueryClientProvider>
    </FluentProvider>,
  );
}

describe("a connection Ferry is started with", () => {
  it("is confirmed in a dialog before anything is created; a broken one says why", async () => {
    renderIt();
    await waitFor(() => expect(ipc.onLink).not.toBeNull());
    expect(screen.queryByTestId("launched-connection")).toBeNull();
    act(() => ipc.onLink!("ferry://connect?version=1&name=Contoso"));
    const offer = await screen.findByTestId("connection-offer");
    expect(offer).toHaveTextContent("contoso.onmicrosoft.com");
    expect(offer).toHaveTextContent("You pick it after signing in");
    expect(ipc.read).toEqual(["ferry://connect?version=1&name=Contoso"]);
    fireEvent.click(screen.getByTestId("connection-back"));
    await waitFor(() => expect(screen.queryByTestId("connection-offer")).toBeNull());

    act(() => ipc.onLink!("ferry://connect?version=broken"));
    expect(await screen.findByTestId("error-note")).toHaveTextContent("is not a number like 1");
  });
});
