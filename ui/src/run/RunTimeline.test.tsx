import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/react";
import { RunTimeline, formatElapsed } from "./RunTimeline";

describe("RunTimeline", () => {
  it("formats elapsed time for people", () => {
    const start = "2026-01-01T10:00:00Z";
    expect(formatElapsed(start, new Date("2026-01-01T10:00:07Z"))).toBe("7 s");
    expect(formatElapsed(start, new Date("2026-01-01T10:02:05Z"))).toBe("2 min 5 s");
    expect(formatElapsed(start, new Date("2026-01-01T11:04:00Z"))).toBe("1 h 4 min");
  });

  it("shows each step with its state and time until the next step", () => {
    render(
      <RunTimeline
        now={new Date("2026-01-01T10:05:00Z")}
        steps={[
          { key: "requested", label: "Requested", state: "done", since: "2026-01-01T10:00:00Z" },
          { key: "validated", label: "Validated", state: "done", since: "2026-01-01T10:00:30Z" },
          {
            key: "approval",
            label: "Waiting for approval",
            state: "waiting",
            since: "2026-01-01T10:01:00Z",
            detail: "Pat Approver can approve this deployment.",
          },
          { key: "importing", label: "Importing", state: "pending" },
        ]}
      />,
    );
    const items = screen.getAllByRole("listitem");
    expect(items.map((i) => i.getAttribute("data-state"))).toEqual(["done", "done", "waiting", "pending"]);
    expect(items[0]).toHaveTextContent("30 s");
    expect(items[2]).toHaveTextContent("4 min 0 s");
    expect(items[2]).toHaveTextContent("Pat Approver can approve");
    expect(items[3]).toHaveTextContent("Importing, not started");
  });
});
