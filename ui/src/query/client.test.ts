import { describe, expect, it } from "vitest";
import { FerryError } from "../ipc";
import { retryTransient } from "./client";

describe("retryTransient", () => {
  it("retries host and engine hiccups twice", () => {
    const e = new FerryError("host", "The host answered 503");
    expect(retryTransient(0, e)).toBe(true);
    expect(retryTransient(1, e)).toBe(true);
    expect(retryTransient(2, e)).toBe(false);
    expect(retryTransient(0, new FerryError("internal", "reopening"))).toBe(true);
  });
  it("shows offline, sign-in and input errors at once", () => {
    for (const code of ["offline", "unauthorized", "invalid_input", "not_found", "cache"] as const) {
      expect(retryTransient(0, new FerryError(code, "x"))).toBe(false);
    }
    expect(retryTransient(0, new Error("plain"))).toBe(false);
    expect(retryTransient(0, null)).toBe(false);
  });
});
