import { describe, expect, it } from "vitest";
import { engineFilter, historyRow, NO_FILTERS, withinDates } from "./filters";
import { run } from "../test/fixtures";

describe("history filters", () => {
  it("pass text, solution, stage and status to the engine", () => {
    expect(engineFilter({ ...NO_FILTERS, text: " core ", status: "failed" })).toMatchObject({
      text: "core",
      solution: null,
      statuses: ["failed"],
    });
  });

  it("filter by local days, inclusive", () => {
    const runs = [
      run({ id: "a", createdOn: new Date(2026, 10, 30, 23, 0).toISOString() }),
      run({ id: "b", createdOn: new Date(2026, 11, 1, 9, 0).toISOString() }),
      run({ id: "c", createdOn: new Date(2026, 11, 2, 0, 30).toISOString() }),
    ];
    expect(withinDates(runs, "2026-12-01", "2026-12-01").map((r) => r.id)).toEqual(["b"]);
    expect(withinDates(runs, "2026-12-01", "").map((r) => r.id)).toEqual(["b", "c"]);
    expect(withinDates(runs, "", "").length).toBe(3);
  });

  it("turn a run into a list row", () => {
    expect(historyRow(run())).toMatchObject({ solution: "ContosoCore", stage: "Deploy to Test", outcome: "succeeded" });
  });
});
