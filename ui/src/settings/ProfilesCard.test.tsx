import { beforeEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import type { EnvironmentInfo, FerryError, NewProfile, ProfileInfo, RemovedProfile } from "../ipc";
import { ProfilesCard } from "./ProfilesCard";

const SANDBOX: ProfileInfo = {
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

const DEV: ProfileInfo = {
  ...SANDBOX,
  id: "contoso-dev",
  displayName: "Contoso Dev",
  kind: "cloud",
  hostUrl: "https://contoso-host.crm4.dynamics.com",
  devEnvironment: "bap-dev",
  tenant: "contoso.onmicrosoft.com",
  clientId: "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e",
  active: true,
  cloud: "public",
  devEnvironmentName: "Contoso Dev",
  devEnvironmentUrl: "https://contoso-dev.crm4.dynamics.com",
  hostFound: "Contoso Dev is bound to Contoso Host (its ProjectHostEnvironmentId setting)",
  signIn: "browser",
};

const ipc = vi.hoisted(() => ({
  profiles: [] as ProfileInfo[],
  removed: [] as string[],
  used: [] as string[],
  environments: [] as EnvironmentInfo[],
  refuse: null as unknown,
  added: [] as NewProfile[],
}));

vi.mock("../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../ipc")>()),
  profiles: async () => ipc.profiles,
  builtInClientId: async () => null,
  environments: async () => ipc.environments,
  useEnvironment: async (environment: string) => {
    ipc.used.push(environment);
    if (ipc.refuse) throw ipc.refuse;
    return DEV;
  },
  addProfile: async (p: NewProfile): Promise<ProfileInfo> => {
    ipc.added.push(p);
    return { ...DEV, id: p.id, hostUrl: p.hostUrl, active: false };
  },
  removeProfile: async (id: string): Promise<RemovedProfile> => {
    ipc.removed.push(id);
    ipc.profiles = ipc.profiles.filter((p) => p.id !== id);
    return { id, tokensDeleted: true, runsDeleted: 3, active: "sandbox" };
  },
}));

function renderCard() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <FluentProvider theme={webLightTheme}>
      <QueryClientProvider client={client}>
        <ProfilesCard />
      </QueryClientProvider>
    </FluentProvider>,
  );
}

beforeEach(() => {
  ipc.profiles = [SANDBOX, DEV];
  ipc.removed = [];
  ipc.used = [];
  ipc.refuse = null;
  ipc.added = [];
  ipc.environments = [
    { name: "Contoso Dev", uniqueName: "dev", url: DEV.devEnvironmentUrl!, environmentId: "bap-dev", organizationId: "o1", region: "Europe", current: true },
    { name: "Contoso Sandbox", uniqueName: "sb", url: "https://contoso-sb.crm4.dynamics.com", environmentId: "bap-sb", organizationId: "o2", region: "Europe", current: false },
  ];
});

describe("Settings → Profiles", () => {
  it("shows each profile's environment, host, how it was found, cloud and sign-in", async () => {
    renderCard();
    const row = await screen.findByTestId("profile-contoso-dev");
    expect(within(row).getByTestId("profile-environment")).toHaveTextContent("Contoso Dev · https://contoso-dev.crm4.dynamics.com");
    expect(within(row).getByTestId("profile-host")).toHaveTextContent("https://contoso-host.crm4.dynamics.com");
    expect(within(row).getByTestId("profile-host-found")).toHaveTextContent("ProjectHostEnvironmentId");
    expect(within(row).getByTestId("profile-cloud")).toHaveTextContent("Public (commercial)");
    expect(within(row).getByTestId("profile-sign-in")).toHaveTextContent("This computer's browser · tenant contoso.onmicrosoft.com");
    const sandbox = screen.getByTestId("profile-sandbox");
    expect(within(sandbox).getByTestId("profile-host")).toHaveTextContent("On this computer");
    // The sandbox is built in: it can be used, not removed or switched.
    expect(within(sandbox).getByTestId("use-sandbox")).toBeInTheDocument();
    expect(screen.queryByTestId("remove-sandbox")).toBeNull();
    expect(screen.getAllByTestId("switch-environment")).toHaveLength(1);
  });

  it("switches environment from the tenant's list; a refusal says why in place", async () => {
    ipc.refuse = { code: "not_set_up", message: "Contoso Sandbox is not bound to a pipelines host: ask an admin" } as Partial<FerryError>;
    renderCard();
    fireEvent.click(await screen.findByTestId("switch-environment"));
    const dialog = await screen.findByTestId("switch-environment-dialog");
    const list = within(dialog).getByTestId("environment-list");
    await waitFor(() => expect(list).toHaveAttribute("aria-busy", "false"));
    expect(within(list).getAllByTestId("environment-option")[0]).toHaveTextContent("In use");
    fireEvent.click(within(list).getByText("Contoso Sandbox"));
    expect(await within(dialog).findByTestId("environment-error")).toHaveTextContent("ask an admin");
    expect(ipc.used).toEqual(["https://contoso-sb.crm4.dynamics.com"]);
  });

  it("removes a profile after saying that its sign-in and cached history go with it", async () => {
    renderCard();
    fireEvent.click(await screen.findByTestId("remove-contoso-dev"));
    const dialog = await screen.findByTestId("remove-profile-dialog");
    expect(dialog).toHaveTextContent("Its sign-in leaves this computer's keyring, unless another profile");
    expect(dialog).toHaveTextContent("Its cached history goes with it");
    expect(dialog).toHaveTextContent("Ferry switches to the Local sandbox");
    expect(ipc.removed).toEqual([]);
    fireEvent.click(within(dialog).getByTestId("confirm-remove"));
    expect(await screen.findByTestId("profile-removed")).toHaveTextContent(
      "Removed Contoso Dev: its sign-in left this computer's keyring, and 3 runs of cached history went with it.",
    );
    expect(ipc.removed).toEqual(["contoso-dev"]);
    await waitFor(() => expect(screen.queryByTestId("profile-contoso-dev")).toBeNull());
  });

  it("offers plain http:// for a test host only as a warned opt-in", async () => {
    renderCard();
    fireEvent.click(await screen.findByTestId("add-profile"));
    fireEvent.change(screen.getByTestId("new-profile-id"), { target: { value: "lab" } });
    fireEvent.change(screen.getByTestId("new-profile-host"), { target: { value: "http://192.0.2.10:8080" } });
    fireEvent.change(screen.getByTestId("new-profile-dev"), { target: { value: "dev" } });
    const optIn = screen.getByRole("checkbox", { name: /plain http/i });
    expect(optIn).not.toBeChecked();
    expect(screen.queryByTestId("insecure-http-warning")).toBeNull();
    fireEvent.click(optIn);
    expect(screen.getByTestId("insecure-http-warning")).toHaveTextContent(
      "sign-in token crosses the network unencrypted",
    );
    fireEvent.click(screen.getByTestId("save-profile"));
    await waitFor(() => expect(ipc.added).toHaveLength(1));
    expect(ipc.added[0]).toMatchObject({ id: "lab", hostUrl: "http://192.0.2.10:8080", allowInsecureHttp: true });
  });

  it("sends no opt-in unless it is ticked", async () => {
    renderCard();
    fireEvent.click(await screen.findByTestId("add-profile"));
    fireEvent.change(screen.getByTestId("new-profile-id"), { target: { value: "prod" } });
    fireEvent.change(screen.getByTestId("new-profile-host"), { target: { value: "https://contoso-host.crm.dynamics.com" } });
    fireEvent.change(screen.getByTestId("new-profile-dev"), { target: { value: "dev" } });
    fireEvent.click(screen.getByTestId("save-profile"));
    await waitFor(() => expect(ipc.added).toHaveLength(1));
    expect(ipc.added[0].allowInsecureHttp ?? false).toBe(false);
  });
});
