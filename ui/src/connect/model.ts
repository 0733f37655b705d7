// "Sign in to Power Platform": the clouds, the ways to name an app registration,
// the request the engine takes, and the environment list's search. Pure: tested
// without a window.
import type { CloudSignIn, ConnectionOffer, EnvironmentInfo, ProfileInfo, SignInMethod } from "../ipc";

export interface CloudChoice {
  value: string;
  label: string;
}

/** The clouds a maker can pick (the local cloud only arrives in a connection file). */
export const CLOUDS: readonly CloudChoice[] = [
  { value: "public", label: "Public (commercial)" },
  { value: "gcc", label: "GCC (US Government Community Cloud)" },
  { value: "usgovhigh", label: "GCC High" },
  { value: "dod", label: "DoD" },
  { value: "china", label: "China (operated by 21Vianet)" },
];

/** A cloud's name as people read it. */
export function cloudLabel(cloud: string | null | undefined): string {
  if (!cloud) return "Public (commercial)";
  if (cloud === "local") return "Local (a pipelines host on this computer)";
  return CLOUDS.find((c) => c.value === cloud)?.label ?? cloud;
}

/** How a sign-in goes, as people read it. */
export function methodLabel(method: SignInMethod | null | undefined): string {
  switch (method) {
    case "deviceCode":
      return "A code entered in a browser";
    case "browser":
      return "This computer's browser";
    case "azureCli":
      return "The Azure CLI's sign-in";
    default:
      return "—";
  }
}

/** Where the app registration comes from. */
export type Registration = "builtIn" | "file" | "clientId";

/** What the maker filled in before signing in. */
export interface SignInForm {
  cloud: string;
  tenant: string;
  registration: Registration;
  clientId: string;
  method: SignInMethod;
  /** A PEM file of CA certificates to trust besides the system's (a TLS-inspecting proxy's). */
  caFile: string;
}

export function initialForm(builtIn: string | null | undefined, registration?: Registration): SignInForm {
  return {
    cloud: "public",
    tenant: "",
    registration: registration ?? (builtIn ? "builtIn" : "clientId"),
    clientId: "",
    method: "browser",
    caFile: "",
  };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Why the form cannot be sent yet (null: it can). */
export function formProblem(form: SignInForm): string | null {
  if (form.registration === "clientId" && form.method !== "azureCli") {
    const id = form.clientId.trim();
    if (!id) return "Enter the application (client) id your admin gave you.";
    if (!GUID.test(id)) return "An application (client) id looks like 0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e.";
  }
  return null;
}

/** The engine's request for a filled-in form. */
export function requestOf(form: SignInForm): CloudSignIn {
  const tenant = form.tenant.trim();
  const clientId = form.registration === "clientId" ? form.clientId.trim() : "";
  return {
    cloud: form.cloud,
    tenant: tenant || null,
    clientId: clientId || null,
    method: form.method,
    environment: null,
    caFile: form.caFile.trim() || null,
  };
}

/** An offer's request with the method the maker chose. */
export function offerRequest(offer: ConnectionOffer, method: SignInMethod, caFile = ""): CloudSignIn {
  return { ...offer.signIn, method, caFile: caFile.trim() || offer.signIn.caFile };
}

/** The environments whose name, unique name, URL or region contain the search (any case). */
export function filterEnvironments(list: readonly EnvironmentInfo[], search: string): EnvironmentInfo[] {
  const q = search.trim().toLowerCase();
  const sorted = [...list].sort((a, b) => a.name.localeCompare(b.name));
  if (!q) return sorted;
  return sorted.filter((e) =>
    [e.name, e.uniqueName, e.url, e.region ?? ""].some((field) => field.toLowerCase().includes(q)),
  );
}

/** Two environment URLs name the same org (scheme and host any case, trailing slashes aside). */
export function sameUrl(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a || !b) return false;
  const norm = (u: string) => u.trim().replace(/\/+$/, "").toLowerCase();
  return norm(a) === norm(b);
}

/** Whether an environment is the one a connection file names (by URL or name). */
export function isNamed(env: EnvironmentInfo, named: string | null | undefined): boolean {
  if (!named) return false;
  const n = named.trim().toLowerCase();
  return sameUrl(env.url, named) || env.name.toLowerCase() === n || env.uniqueName.toLowerCase() === n;
}

/** The profile an offer's environment would replace, if one is kept for it already. */
export function replacedProfile(offer: ConnectionOffer, profiles: readonly ProfileInfo[] | undefined): ProfileInfo | null {
  const env = offer.signIn.environment;
  if (!env || !profiles) return null;
  return (
    profiles.find(
      (p) =>
        p.kind === "cloud" &&
        (sameUrl(p.devEnvironmentUrl, env) || (p.devEnvironmentName ?? "").toLowerCase() === env.trim().toLowerCase()),
    ) ?? null
  );
}
