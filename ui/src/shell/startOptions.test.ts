import { afterEach, describe, expect, it } from "vitest";
import { startPageId } from "./startOptions";

afterEach(() => {
  delete window.__FERRY_FIRST__;
});

describe("the start page", () => {
  it("is Deploy unless the shell names a page of the navigation", () => {
    expect(startPageId()).toBe("deploy");
    window.__FERRY_FIRST__ = { page: "history", readAtMs: 0, reads: null };
    expect(startPageId()).toBe("history");
    window.__FERRY_FIRST__ = { page: "run", readAtMs: 0, reads: null };
    expect(startPageId()).toBe("deploy");
  });
});
