import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen } from "@testing-library/react";
import { SolutionsTable, type SolutionRow } from "./SolutionsTable";

const stages = [
  { id: "t", name: "Test" },
  { id: "p", name: "Prod" },
];
const solutions: SolutionRow[] = [
  { uniqueName: "ContosoCore", displayName: "Contoso Core", version: "1.0.0.3", stages: [{ stageId: "t", version: "1.0.0.2", driftVersion: "1.0.0.9" }] },
  { uniqueName: "ContosoPortal", displayName: "Contoso Portal", version: "2.1.0.0", stages: [] },
];

describe("SolutionsTable", () => {
  it("shows versions per stage with a drift badge", () => {
    render(<SolutionsTable solutions={solutions} stages={stages} onOpen={() => {}} />);
    const core = screen.getByTestId("solution-ContosoCore");
    expect(core).toHaveTextContent("1.0.0.2");
    expect(core).toHaveTextContent("drift");
    expect(screen.getByTestId("solution-ContosoPortal")).not.toHaveTextContent("drift");
  });

  it("searches by display or unique name and opens on Enter", () => {
    const onOpen = vi.fn();
    render(<SolutionsTable solutions={solutions} stages={stages} onOpen={onOpen} />);
    fireEvent.change(screen.getByRole("searchbox"), { target: { value: "portal" } });
    expect(screen.queryByTestId("solution-ContosoCore")).toBeNull();
    fireEvent.keyDown(screen.getByTestId("solution-ContosoPortal"), { key: "Enter" });
    expect(onOpen).toHaveBeenCalledWith("ContosoPortal");
    fireEvent.change(screen.getByRole("searchbox"), { target: { value: "zzz" } });
    expect(screen.getByText("No solution matches “zzz”.")).toBeInTheDocument();
  });
});
