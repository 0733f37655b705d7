import { afterEach, describe, expect, it } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { appInfo, FerryError, toFerryError } from "./index";

afterEach(() => clearMocks());

describe("ipc", () => {
  it("returns the typed payload of app_info", async () => {
    mockIPC((cmd) => {
      if (cmd === "app_info") {
        return { name: "Ferry", version: "9.9.9", dataDir: "/data", os: "linux" };
      }
      throw new Error(`unexpected command ${cmd}`);
    });
    await expect(appInfo()).resolves.toEqual({
      name: "Ferry",
      version: "9.9.9",
      dataDir: "/data",
      os: "linux",
    });
  });

  it("turns Rust's {code, message} into a FerryError", async () => {
    mockIPC(() => {
      throw { code: "not_found", message: "No such solution." };
    });
    const err = await appInfo().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FerryError);
    expect(err).toMatchObject({ code: "not_found", message: "No such solution." });
  });

  it("maps anything else to an internal error that says what happened", () => {
    const err = toFerryError("command app_info not found");
    expect(err.code).toBe("internal");
    expect(err.message).toContain("command app_info not found");
    expect(toFerryError({ code: "bogus", message: "x" }).code).toBe("internal");
  });
});
