import { beforeEach, describe, expect, it, vi } from "vitest";
import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import type { AccountInfo, CloudSignIn, ConnectionOffer, EnvironmentInfo, FerryError, ProfileInfo, SignInEvent } from "../ipc";
import { PowerPlatformSignIn } from "./PowerPlatformSignIn";

interface Pending {
  request: CloudSignIn;
  opId: string;
  prompt: (e: SignInEvent) => void;
  resolve: (a: AccountInfo | null) => void;
  reject: (e: unknown) => void;
}

const ipc = vi.hoisted(() => ({
  pending: [] as Pending[],
  cancelled: [] as string[],
  connected: [] as { request: CloudSignIn; environment: string }[],
  listed: [] as CloudSignIn[],
  builtIn: null as string | null,
  environments: [] as EnvironmentInfo[],
  refuse: new Map<string, unknown>(),
  offer: null as ConnectionOffer | null,
  opened: 0,
  read: [] as string[],
}));

vi.mock("../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../ipc")>()),
  builtInClientId: async () => ipc.builtIn,
  profiles: async () => [],
  signInToCloud: (request: CloudSignIn, opId: string, prompt: (e: SignInEvent) => void) =>
    new Promise<AccountInfo | null>((resolve, reject) => ipc.pending.push({ request, opId, prompt, resolve, reject })),
  cancelOperation: async (opId: string) => {
    ipc.cancelled.push(opId);
    ipc.pending.find((p) => p.opId === opId)?.resolve(null);
    return true;
  },
  cloudEnvironments: async (request: CloudSignIn) => {
    ipc.listed.push(request);
    return ipc.environments;
  },
  connectEnvironment: async (request: CloudSignIn, environment: string): Promise<ProfileInfo> => {
    ipc.connected.push({ request, environment });
    const refusal = ipc.refuse.get(environment);
    if (refusal) throw refusal;
    return { id: "contoso-dev", displayName: "Contoso Dev" } as ProfileInfo;
  },
  openConnectionFile: async () => {
    ipc.opened += 1;
    return ipc.offer;
  },
  readConnection: async (text: string) => {
    ipc.read.push(text);
    if (!text.startsWith("ferry:")) throw { code: "invalid_input", message: "this is not a connection file" };
    return ipc.offer;
  },
}));

const env = (name: string, url: string): EnvironmentInfo => ({
  name,
  uniqueName: name,
  url,
  environmentId: `bap-${name}`,
  organizationId: `org-${name}`,
  region: "Europe",
  current: false,
});

const OFFER: ConnectionOffer = {
  name: "Contoso",
  signIn: {
    cloud: "local",
    tenant: "11111111-2222-3333-4444-555555555555",
    clientId: "ferry",
    method: "browser",
    environment: "http://127.0.0.1:5555/environments/dev",
    caFile: null,
  },
};

function renderFlow(props: Partial<Parameters<typeof PowerPlatformSignIn>[0]> = {}) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const invalidate = vi.spyOn(client, "invalidateQueries");
  const done = vi.fn();
  render(
    <FluentProvider theme={webLightTheme}>
      <QueryClientProvider client={client}>
        <PowerPlatformSignIn onDone={done} onCancel={() => undefined} {...props} />
      </QueryClientProvider>
    </FluentProvider>,
  );
  return { invalidate, done };
}

beforeEach(() => {
  ipc.pending = [];
  ipc.cancelled = [];
  ipc.connected = [];
  ipc.listed = [];
  ipc.builtIn = null;
  ipc.environments = [env("Contoso Dev", "http://127.0.0.1:5555/environments/dev"), env("Contoso Sandbox", "http://127.0.0.1:5555/environments/sandbox")];
  ipc.refuse = new Map();
  ipc.offer = OFFER;
  ipc.opened = 0;
  ipc.read = [];
  window.localStorage.clear();
});

describe("Sign in to Power Platform", () => {
  it("explains each way in, and without a built-in registration asks for a client id", async () => {
    renderFlow();
    const card = screen.getByTestId("cloud-sign-in");
    expect(card).toHaveTextContent("this build of Ferry carries none");
    expect(card).toHaveTextContent("Ask your admin for Ferry's connection file");
    expect(card).toHaveTextContent("Ask your admin for the application (client) id");
    await waitFor(() => expect(screen.getByTestId("registration-builtIn")).toBeDisabled());
    expect(screen.getByTestId("cloud-sign-in-start")).toBeDisabled();
    fireEvent.change(screen.getByTestId("client-id-input"), { target: { value: "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e" } });
    fireEvent.change(screen.getByTestId("tenant-input"), { target: { value: "contoso.onmicrosoft.com" } });
    fireEvent.click(screen.getByTestId("method-deviceCode"));
    fireEvent.click(screen.getByTestId("cloud-sign-in-start"));
    await waitFor(() => expect(ipc.pending).toHaveLength(1));
    expect(ipc.pending[0].request).toMatchObject({
      cloud: "public",
      tenant: "contoso.onmicrosoft.com",
      clientId: "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e",
      method: "deviceCode",
    });
    // The device code shows as the sign-in panel shows it.
    act(() =>
      ipc.pending[0].prompt({ kind: "deviceCode", userCode: "ABCD1234", verificationUri: "https://microsoft.com/devicelogin", message: "", expiresInSeconds: 900 }),
    );
    expect(await screen.findByTestId("device-code")).toHaveTextContent("ABCD1234");
    fireEvent.click(screen.getByTestId("cancel-sign-in"));
    await waitFor(() => expect(ipc.cancelled).toEqual([ipc.pending[0].opId]));
    expect(screen.getByTestId("cloud-sign-in-start")).toBeInTheDocument();
  });

  it("offers the built-in registration first when the build carries one", async () => {
    ipc.builtIn = "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e";
    renderFlow();
    await waitFor(() => expect(screen.getByTestId("registration-builtIn")).toBeChecked());
    expect(screen.queryByTestId("client-id-input")).toBeNull();
    expect(screen.getByTestId("cloud-sign-in-start")).toBeEnabled();
  });

  it("shows what a connection file holds before signing in, then picks; a refusal says why in place", async () => {
    ipc.refuse.set("http://127.0.0.1:5555/environments/sandbox", {
      code: "not_set_up",
      message: "Contoso Sandbox is not bound to a pipelines host: a Power Platform admin sets one up",
    } as Partial<FerryError>);
    const { done, invalidate } = renderFlow({ registration: "file" });
    fireEvent.click(screen.getByTestId("connection-open-file"));
    const offer = await screen.findByTestId("connection-offer");
    expect(ipc.opened).toBe(1);
    expect(offer).toHaveTextContent("Contoso");
    expect(offer).toHaveTextContent("http://127.0.0.1:5555/environments/dev");
    expect(offer).toHaveTextContent("11111111-2222-3333-4444-555555555555");
    expect(screen.getByTestId("offer-effect")).toHaveTextContent("Nothing is saved before");
    expect(ipc.pending).toHaveLength(0);

    fireEvent.click(screen.getByTestId("connection-confirm"));
    await waitFor(() => expect(ipc.pending).toHaveLength(1));
    expect(ipc.pending[0].request).toEqual(OFFER.signIn);
    act(() => ipc.pending[0].prompt({ kind: "browser", url: "http://127.0.0.1:5555/authorize?x=1" }));
    expect(await screen.findByTestId("sign-in-url")).toHaveTextContent("/authorize?x=1");
    await act(async () => ipc.pending[0].resolve({ profileId: "", account: "mona@contoso.example", expiresAt: null }));

    // The picker: the file's environment first and marked; the list busy until read.
    const list = await screen.findByTestId("environment-list");
    await waitFor(() => expect(list).toHaveAttribute("aria-busy", "false"));
    const options = within(list).getAllByTestId("environment-option");
    expect(options[0]).toHaveTextContent("Contoso Dev");
    expect(options[0]).toHaveTextContent("From the connection file");
    expect(screen.getByTestId("signed-in-as")).toHaveTextContent("mona@contoso.example");

    fireEvent.click(within(list).getByText("Contoso Sandbox"));
    const note = await screen.findByTestId("environment-error");
    expect(note).toHaveTextContent("Contoso Sandbox cannot be used yet");
    expect(note).toHaveTextContent("a Power Platform admin sets one up");
    expect(done).not.toHaveBeenCalled();

    fireEvent.click(within(list).getByText("Contoso Dev"));
    await waitFor(() => expect(done).toHaveBeenCalled());
    expect(ipc.connected.map((c) => c.environment)).toEqual([
      "http://127.0.0.1:5555/environments/sandbox",
      "http://127.0.0.1:5555/environments/dev",
    ]);
    expect(invalidate).toHaveBeenCalled();
    expect(window.localStorage.getItem("ferry.welcomed")).toBe("1");
  });

  it("reads a pasted link, and says when the text is not a connection", async () => {
    renderFlow({ registration: "file" });
    fireEvent.change(screen.getByTestId("connection-paste"), { target: { value: "hello" } });
    fireEvent.click(screen.getByTestId("connection-read"));
    expect(await screen.findByTestId("connection-error")).toHaveTextContent("this is not a connection file");
    fireEvent.change(screen.getByTestId("connection-paste"), { target: { value: "ferry://connect?version=1" } });
    fireEvent.click(screen.getByTestId("connection-read"));
    expect(await screen.findByTestId("connection-offer")).toHaveTextContent("Contoso");
    expect(ipc.read).toEqual(["hello", "ferry://connect?version=1"]);
  });

  it("a connection Ferry was started with goes straight to its confirmation", async () => {
    renderFlow({ offer: OFFER });
    expect(screen.getByTestId("connection-offer")).toHaveTextContent("Contoso");
    expect(screen.getByTestId("connection-back")).toHaveTextContent("Not now");
  });
});
