import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen } from "@testing-library/react";
import { boxEveryElement } from "../test/layout";
import { HistoryList, type HistoryRow } from "./HistoryList";

function rows(n: number): HistoryRow[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `run-${i}`,
    solution: `Solution ${i}`,
    stage: "Deploy to Test",
    version: `1.0.0.${i}`,
    outcome: i % 2 ? "failed" : "succeeded",
    statusLabel: i % 2 ? "Failed" : "Succeeded",
    when: "2026-01-01T10:00:00Z",
  }));
}

describe("HistoryList", () => {
  // jsdom has no layout: every element is an 800×520 box.
  beforeEach(() => {
    boxEveryElement();
  });
  afterEach(() => vi.restoreAllMocks());

  it("renders only the rows in view of 100,000", async () => {
    render(<HistoryList rows={rows(100_000)} onOpen={() => {}} initialHeight={520} />);
    const shown = await screen.findAllByTestId("history-row");
    expect(shown.length).toBeGreaterThan(5);
    expect(shown.length).toBeLessThan(40);
    expect(screen.getByTestId("history-list")).toHaveAttribute("aria-label", "100000 deployments");
  });

  it("opens a run by click or keyboard", async () => {
    const onOpen = vi.fn();
    render(<HistoryList rows={rows(3)} onOpen={onOpen} initialHeight={300} />);
    const [first, second] = await screen.findAllByTestId("history-row");
    fireEvent.click(first);
    fireEvent.keyDown(second, { key: "Enter" });
    expect(onOpen.mock.calls).toEqual([["run-0"], ["run-1"]]);
    expect(second).toHaveAccessibleName("Solution 1 1.0.0.1 to Deploy to Test: Failed");
  });
});
