import { describe, expect, it } from "vitest";
import type { ConnectionOffer, EnvironmentInfo, ProfileInfo } from "../ipc";
import { cloudLabel, filterEnvironments, formProblem, initialForm, isNamed, replacedProfile, requestOf } from "./model";

const env = (name: string, url: string, region: string | null = "Europe"): EnvironmentInfo => ({
  name,
  uniqueName: name.toLowerCase().replace(/ /g, "_"),
  url,
  environmentId: `bap-${name}`,
  organizationId: `org-${name}`,
  region,
  current: false,
});

describe("sign-in model", () => {
  it("asks for a client id only when one is the way in, and sends what was typed", () => {
    const form = initialForm(null);
    expect(form.registration).toBe("clientId");
    expect(formProblem(form)).toMatch(/Enter the application/);
    expect(formProblem({ ...form, clientId: "not-a-guid" })).toMatch(/looks like/);
    const ok = { ...form, clientId: " 0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e ", tenant: " contoso.onmicrosoft.com ", cloud: "gcc" };
    expect(formProblem(ok)).toBeNull();
    expect(requestOf(ok)).toEqual({
      cloud: "gcc",
      tenant: "contoso.onmicrosoft.com",
      clientId: "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e",
      method: "browser",
      environment: null,
      caFile: null,
    });
    // The Azure CLI needs no registration; a built-in one is offered first.
    expect(formProblem({ ...form, method: "azureCli" })).toBeNull();
    expect(initialForm("0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e").registration).toBe("builtIn");
    expect(requestOf(initialForm("x")).clientId).toBeNull();
  });

  it("names clouds as people read them", () => {
    expect(cloudLabel("usgovhigh")).toBe("GCC High");
    expect(cloudLabel(null)).toBe("Public (commercial)");
    expect(cloudLabel("local")).toMatch(/this computer/);
  });

  it("searches environments by name, unique name, region or URL, sorted by name", () => {
    const list = [env("Contoso Test", "https://test.crm.dynamics.com"), env("Contoso Dev", "https://dev.crm4.dynamics.com", "Asia")];
    expect(filterEnvironments(list, "").map((e) => e.name)).toEqual(["Contoso Dev", "Contoso Test"]);
    expect(filterEnvironments(list, "CRM4").map((e) => e.name)).toEqual(["Contoso Dev"]);
    expect(filterEnvironments(list, "europe").map((e) => e.name)).toEqual(["Contoso Test"]);
    expect(filterEnvironments(list, "contoso_test").map((e) => e.name)).toEqual(["Contoso Test"]);
    expect(filterEnvironments(list, "nothing")).toEqual([]);
    expect(isNamed(list[1], "https://DEV.crm4.dynamics.com/")).toBe(true);
    expect(isNamed(list[1], "contoso dev")).toBe(true);
    expect(isNamed(list[0], null)).toBe(false);
  });

  it("says which profile a connection file would replace", () => {
    const offer: ConnectionOffer = {
      name: "Contoso",
      signIn: { cloud: "public", tenant: "t", clientId: "c", method: "browser", environment: "https://dev.crm4.dynamics.com/", caFile: null },
    };
    const kept = { id: "contoso-dev", displayName: "Contoso Dev", kind: "cloud", devEnvironmentUrl: "https://dev.crm4.dynamics.com" } as ProfileInfo;
    expect(replacedProfile(offer, [kept])?.id).toBe("contoso-dev");
    expect(replacedProfile({ ...offer, signIn: { ...offer.signIn, environment: null } }, [kept])).toBeNull();
  });
});
