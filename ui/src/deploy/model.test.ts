import { describe, expect, it } from "vitest";
import { clockChangeProblem, localToUtc } from "./model";

describe("schedule times", () => {
  it("send the maker's local time as UTC", () => {
    const utc = localToUtc("2026-12-01T18:30");
    expect(utc).toMatch(/^2026-12-0[12]T\d\d:30:00Z$/);
    expect(new Date(utc!).getTime()).toBe(new Date("2026-12-01T18:30").getTime());
    expect(localToUtc("")).toBeNull();
    expect(localToUtc("not a time")).toBeNull();
  });
});

describe("clock changes", () => {
  it("refuse a local time the clocks skip or repeat", () => {
    const zone = process.env.TZ;
    // Paris springs forward at 02:00 on 28 March 2027 and falls back at 03:00 on 31 October 2027.
    process.env.TZ = "Europe/Paris";
    try {
      expect(clockChangeProblem("2027-03-28T02:30")).toMatch(/does not exist/);
      expect(clockChangeProblem("2027-10-31T02:30")).toMatch(/happens twice/);
      expect(clockChangeProblem("2027-10-31T03:30")).toBeNull();
      expect(clockChangeProblem("2027-03-28T03:30")).toBeNull();
      expect(clockChangeProblem("2026-12-08T18:00")).toBeNull();
      expect(clockChangeProblem("")).toBeNull();
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });
});
