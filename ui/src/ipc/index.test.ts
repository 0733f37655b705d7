import { afterEach, describe, expect, it } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { appInfo, FerryError, history, newOperationId, toFerryError, validate } from "./index";

afterEach(() => clearMocks());

describe("ipc", () => {
  it("returns the typed payload of app_info", async () => {
    mockIPC((cmd) => {
      if (cmd === "app_info") {
        return { name: "Ferry", version: "9.9.9", dataDir: "/data", logsDir: "/data/logs", os: "linux" };
      }
      throw new Error(`unexpected command ${cmd}`);
    });
    await expect(appInfo()).resolves.toEqual({
      name: "Ferry",
      version: "9.9.9",
      dataDir: "/data",
      logsDir: "/data/logs",
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

  it("passes a long operation its id and a progress channel, in camelCase", async () => {
    const seen: Record<string, unknown>[] = [];
    mockIPC((cmd, args) => {
      seen.push({ cmd, ...(args as Record<string, unknown>) });
      return { run: { id: "r1" }, explanations: [], plan: null };
    });
    const opId = newOperationId("validate");
    expect(opId).toMatch(/^validate-/);
    expect(newOperationId("validate")).not.toBe(opId);
    const request = { solution: "ContosoCore", stage: "Test", settingsJson: null, values: null, version: null, redeployOf: null };
    await validate(request, opId, () => undefined);
    expect(seen[0]).toMatchObject({ cmd: "validate", request, opId });
    expect(seen[0].onEvent).toBeDefined();
    await history({ text: "core", solution: null, stage: null, statuses: [], createdFrom: null, createdBefore: null, limit: 10, offset: 0 });
    expect(seen[1]).toMatchObject({ cmd: "history", filter: { text: "core", limit: 10 } });
  });
});
