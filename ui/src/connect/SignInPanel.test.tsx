import { beforeEach, describe, expect, it, vi } from "vitest";
import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import type { AccountInfo, FerryError, SignInEvent, SignInMethod } from "../ipc";
import { SignInPanel } from "./SignInPanel";

/** The sign-in the panel started: its method, id, prompt callback and how it ends. */
interface Pending {
  method: SignInMethod;
  opId: string;
  prompt: (e: SignInEvent) => void;
  resolve: (a: AccountInfo | null) => void;
  reject: (e: unknown) => void;
}

const ipc = vi.hoisted(() => ({
  pending: [] as Pending[],
  cancelled: [] as string[],
  opened: 0,
}));

vi.mock("../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../ipc")>()),
  signIn: (method: SignInMethod, opId: string, prompt: (e: SignInEvent) => void) =>
    new Promise<AccountInfo | null>((resolve, reject) => ipc.pending.push({ method, opId, prompt, resolve, reject })),
  cancelOperation: async (opId: string) => {
    ipc.cancelled.push(opId);
    const p = ipc.pending.find((x) => x.opId === opId);
    p?.resolve(null);
    return true;
  },
  openSignInPage: async () => {
    ipc.opened += 1;
  },
}));

const CODE: SignInEvent = {
  kind: "deviceCode",
  userCode: "ABCD1234",
  verificationUri: "http://127.0.0.1:5555/devicelogin",
  message: "Enter the code",
  expiresInSeconds: 900,
};

function renderPanel() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const invalidate = vi.spyOn(client, "invalidateQueries");
  render(
    <FluentProvider theme={webLightTheme}>
      <QueryClientProvider client={client}>
        <SignInPanel profileName="Contoso" problem="not signed in to the profile" />
      </QueryClientProvider>
    </FluentProvider>,
  );
  return { invalidate };
}

beforeEach(() => {
  ipc.pending = [];
  ipc.cancelled = [];
  ipc.opened = 0;
});

describe("SignInPanel", () => {
  it("offers a code (the default) or the browser, with the engine's sentence", () => {
    renderPanel();
    expect(screen.getByTestId("sign-in-code")).toHaveTextContent("Sign in with a code");
    expect(screen.getByTestId("sign-in-browser")).toHaveTextContent("Sign in with the browser");
    expect(screen.getByTestId("sign-in-problem")).toHaveTextContent("not signed in to the profile");
    expect(screen.queryByTestId("device-code")).toBeNull();
  });

  it("shows the code large with copy and open buttons, then refreshes everything once signed in", async () => {
    const { invalidate } = renderPanel();
    fireEvent.click(screen.getByTestId("sign-in-code"));
    expect(await screen.findByText("Asking the host for a sign-in code…")).toBeInTheDocument();
    expect(ipc.pending).toHaveLength(1);
    expect(ipc.pending[0].method).toBe("deviceCode");
    act(() => ipc.pending[0].prompt(CODE));
    expect(await screen.findByTestId("device-code")).toHaveTextContent("ABCD1234");
    expect(screen.getByText("http://127.0.0.1:5555/devicelogin")).toBeInTheDocument();
    expect(screen.getByTestId("copy-code")).toHaveTextContent("Copy code");
    fireEvent.click(screen.getByTestId("open-sign-in-page"));
    await waitFor(() => expect(ipc.opened).toBe(1));
    expect(invalidate).not.toHaveBeenCalled();
    await act(async () => ipc.pending[0].resolve({ profileId: "contoso", account: "mona@contoso.example", expiresAt: null }));
    await waitFor(() => expect(invalidate).toHaveBeenCalled());
    expect(screen.queryByTestId("device-code")).toBeNull();
  });

  it("cancels a waiting sign-in through its operation id", async () => {
    const { invalidate } = renderPanel();
    fireEvent.click(screen.getByTestId("sign-in-code"));
    act(() => ipc.pending[0].prompt(CODE));
    fireEvent.click(await screen.findByTestId("cancel-sign-in"));
    await waitFor(() => expect(ipc.cancelled).toEqual([ipc.pending[0].opId]));
    expect(screen.getByTestId("sign-in-code")).toBeInTheDocument();
    expect(screen.queryByTestId("device-code")).toBeNull();
    expect(invalidate).not.toHaveBeenCalled();
  });

  it("says what went wrong and offers both ways again", async () => {
    renderPanel();
    fireEvent.click(screen.getByTestId("sign-in-code"));
    const error: Partial<FerryError> = { code: "unauthorized", message: "The code expired; sign in again for a new one." };
    await act(async () => ipc.pending[0].reject(error));
    const note = await screen.findByTestId("sign-in-error");
    expect(note).toHaveTextContent("Sign-in did not finish");
    expect(note).toHaveTextContent("The code expired; sign in again for a new one.");
    expect(screen.getByTestId("sign-in-code")).toBeInTheDocument();
    expect(screen.getByTestId("sign-in-browser")).toBeInTheDocument();
  });

  it("with the browser, shows the page to finish on", async () => {
    renderPanel();
    fireEvent.click(screen.getByTestId("sign-in-browser"));
    expect(ipc.pending[0].method).toBe("browser");
    act(() => ipc.pending[0].prompt({ kind: "browser", url: "http://127.0.0.1:5555/authorize?client_id=ferry" }));
    expect(await screen.findByTestId("sign-in-url")).toHaveTextContent("http://127.0.0.1:5555/authorize?client_id=ferry");
    expect(screen.getByTestId("open-sign-in-page")).toBeInTheDocument();
    expect(screen.queryByTestId("device-code")).toBeNull();
  });
});
