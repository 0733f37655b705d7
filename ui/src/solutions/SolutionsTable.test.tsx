import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen } from "@testing-library/react";
import { SolutionsTable, type SolutionRow } from "./SolutionsTable";
import { solutionRows } from "./model";
import type { Matrix } from "../ipc";

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

  it("names the pipeline that deployed to the same environment instead of calling it drift", () => {
    const matrix: Matrix = {
      online: true,
      stages: [{ pipelineName: "Contoso Release", stageId: "t", stageName: "Deploy to UAT", targetName: "UAT" }],
      rows: [
        {
          solution: "ContosoCore",
          devVersion: "1.0.0.3",
          cells: [
            {
              stageId: "t",
              version: "1.0.0.4",
              deployedOn: null,
              deployedBy: null,
              runId: null,
              installedVersion: "1.0.0.5",
              drift: "otherPipeline",
              installedBy: "Contoso Hotfix / Hotfix to UAT",
            },
          ],
        },
      ],
    };
    const rows = solutionRows(
      [{ id: "1", uniqueName: "ContosoCore", friendlyName: "Contoso Core", version: "1.0.0.3", isManaged: false }],
      matrix,
    );
    render(<SolutionsTable solutions={rows} stages={[{ id: "t", name: "Deploy to UAT" }]} onOpen={() => {}} />);
    const core = screen.getByTestId("solution-ContosoCore");
    expect(core).not.toHaveTextContent("drift");
    expect(core).toHaveTextContent("1.0.0.5 via Contoso Hotfix");
    expect(screen.getByText("1.0.0.5 via Contoso Hotfix").closest("[aria-label]")).toHaveAttribute(
      "aria-label",
      "The target has 1.0.0.5, deployed by Contoso Hotfix / Hotfix to UAT (another pipeline into the same environment).",
    );
  });
});
