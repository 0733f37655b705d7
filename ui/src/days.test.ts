import { describe, expect, it } from "vitest";
import { dateOf, dayOf, formatWhen, localDay, parseDay } from "./days";

describe("local days", () => {
  it("turns kept days into local midnights and back", () => {
    expect(dayOf(dateOf("2026-03-09")!)).toBe("2026-03-09");
    expect(localDay("2026-03-09", true)! - localDay("2026-03-09", false)!).toBeGreaterThanOrEqual(23 * 3600_000);
    expect(localDay("9 March", false)).toBeNull();
    expect(dayOf(parseDay(" 2026-12-01 ")!)).toBe("2026-12-01");
    expect(parseDay("not a day")).toBeNull();
  });
});

describe("formatWhen", () => {
  it("shows a moment as toLocaleString does, from ISO text, milliseconds or a Date", () => {
    const iso = "2026-12-01T21:05:09Z";
    const expected = new Date(iso).toLocaleString();
    expect(formatWhen(iso)).toBe(expected);
    expect(formatWhen(Date.parse(iso))).toBe(expected);
    expect(formatWhen(new Date(iso))).toBe(expected);
  });

  it("gives back what it cannot read instead of Invalid Date", () => {
    expect(formatWhen("soon")).toBe("soon");
  });
});
