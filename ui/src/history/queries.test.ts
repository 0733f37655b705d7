import { describe, expect, it } from "vitest";
import { run } from "../test/fixtures";
import { LIVE_REFRESH_MS, liveRefresh } from "./queries";

describe("the history list's live refresh", () => {
  it("reads the list again while a run in it is still going, and stops once every run ended", () => {
    const ended = { runs: [run({ id: "a", terminal: true })], nextOffset: null };
    const going = { runs: [run({ id: "b", terminal: false })], nextOffset: null };
    expect(liveRefresh([ended, going])).toBe(LIVE_REFRESH_MS);
    expect(liveRefresh([ended])).toBe(false);
    expect(liveRefresh(undefined)).toBe(false);
  });
});
