import { afterEach, describe, expect, it, vi } from "vitest";
import { FIRST_DATA_SELECTOR, watchFirstData } from "./start";
import { startPageId } from "./startOptions";

afterEach(() => {
  delete window.__FERRY_START__;
  window.localStorage.clear();
  document.body.innerHTML = "";
});

describe("start options", () => {
  it("open on Deploy unless the shell names a page of the navigation", () => {
    expect(startPageId()).toBe("deploy");
    window.__FERRY_START__ = { page: "history" };
    expect(startPageId()).toBe("history");
    window.__FERRY_START__ = { page: "run" };
    expect(startPageId()).toBe("deploy");
  });

  it("report nothing without the bench flag", () => {
    const report = vi.fn();
    expect(watchFirstData(report)).toBe(false);
    document.body.innerHTML = '<div data-testid="history-row"></div>';
    expect(report).not.toHaveBeenCalled();
    expect(window.localStorage.getItem("ferry.welcomed")).toBeNull();
  });

  it("report once, when the first history row enters the DOM", async () => {
    window.__FERRY_START__ = { page: "history", bench: true };
    const report = vi.fn();
    expect(watchFirstData(report)).toBe(true);
    expect(window.localStorage.getItem("ferry.welcomed")).toBe("1");
    document.body.innerHTML = "<p>Reading the history…</p>";
    await Promise.resolve();
    expect(report).not.toHaveBeenCalled();
    const before = Date.now();
    document.body.innerHTML = '<div data-testid="history-row"></div><div data-testid="history-row"></div>';
    await vi.waitFor(() => expect(report).toHaveBeenCalledTimes(1));
    expect(report.mock.calls[0][0]).toBeGreaterThanOrEqual(before);
    document.body.append(document.createElement("div"));
    await Promise.resolve();
    expect(report).toHaveBeenCalledTimes(1);
    expect(document.querySelector(FIRST_DATA_SELECTOR)).not.toBeNull();
  });
});
