import { describe, expect, it } from "vitest";
import { dateOf, dayOf, engineFilter, historyRow, NO_FILTERS } from "./filters";
import { run } from "../test/fixtures";

describe("history filters", () => {
  it("pass text, solution, stage and status to the engine", () => {
    expect(engineFilter({ ...NO_FILTERS, text: " core ", status: "failed" })).toMatchObject({
      text: "core",
      solution: null,
      statuses: ["failed"],
    });
  });

  it("send local days as instants: from the day's start to the next day's start", () => {
    const f = engineFilter({ ...NO_FILTERS, from: "2026-12-01", to: "2026-12-01" });
    expect(f.createdFrom).toBe(new Date(2026, 11, 1).toISOString());
    expect(f.createdBefore).toBe(new Date(2026, 11, 2).toISOString());
    const open = engineFilter({ ...NO_FILTERS, from: "2026-12-01" });
    expect(open.createdBefore).toBeNull();
    expect(engineFilter(NO_FILTERS)).toMatchObject({ createdFrom: null, createdBefore: null });
    // A month's last day rolls over to the next month.
    expect(engineFilter({ ...NO_FILTERS, to: "2026-11-30" }).createdBefore).toBe(new Date(2026, 11, 1).toISOString());
  });

  it("round-trip a picked day", () => {
    expect(dayOf(new Date(2026, 0, 5, 15, 30))).toBe("2026-01-05");
    expect(dateOf("2026-01-05")?.getDate()).toBe(5);
    expect(dateOf("")).toBeNull();
  });

  it("turn a run into a list row", () => {
    expect(historyRow(run())).toMatchObject({ solution: "ContosoCore", stage: "Deploy to Test", outcome: "succeeded" });
  });
});
