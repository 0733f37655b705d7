import { describe, expect, it } from "vitest";

// Every time on screen is local: these tests read them in a zone with an offset and
// daylight saving (set before anything formats; Node applies TZ changes at once).
process.env.TZ = "Europe/Paris";
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
  it("shows a moment in local time with its offset, from ISO text, milliseconds or a Date", () => {
    const iso = "2026-12-01T21:05:09Z";
    const expected = new Date(iso).toLocaleString(undefined, { timeZoneName: "shortOffset" });
    expect(formatWhen(iso)).toMatch(/(10|22):05:09.*GMT\+1/);
    expect(formatWhen("2026-07-01T21:05:09Z")).toContain("GMT+2");
    expect(formatWhen(iso)).toBe(expected);
    expect(formatWhen(Date.parse(iso))).toBe(expected);
    expect(formatWhen(new Date(iso))).toBe(expected);
  });

  it("gives back what it cannot read instead of Invalid Date", () => {
    expect(formatWhen("soon")).toBe("soon");
  });
});
