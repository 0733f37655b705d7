import { describe, expect, it } from "vitest";
import { rangeDays } from "./ranges";

describe("quick ranges", () => {
  const now = new Date(2026, 11, 1, 9, 30); // 1 December 2026, local

  it("count back whole local days, today included", () => {
    expect(rangeDays("today", now)).toEqual({ from: "2026-12-01", to: "" });
    expect(rangeDays("week", now)).toEqual({ from: "2026-11-25", to: "" });
    expect(rangeDays("month", now)).toEqual({ from: "2026-11-02", to: "" });
  });

  it("any day clears both ends", () => {
    expect(rangeDays("any", now)).toEqual({ from: "", to: "" });
  });
});
