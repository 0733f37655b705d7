import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen } from "@testing-library/react";
import { StageCard } from "./StageCard";

describe("StageCard", () => {
  it("offers Deploy here when the stage is deployable", () => {
    const onDeploy = vi.fn();
    render(
      <StageCard
        stage={{
          id: "s1",
          name: "Deploy to Test",
          targetName: "Contoso Test",
          gates: ["Approval"],
          lastRun: {
            version: "1.0.0.4",
            statusLabel: "Succeeded",
            outcome: "succeeded",
            when: "2026-01-01T10:00:00Z",
            by: "Mona Maker",
            artifactHash: "ab12cd34ef56ab12cd34ef56",
          },
        }}
        onDeploy={onDeploy}
      />,
    );
    expect(screen.getByText("package ab12cd34ef56")).toBeInTheDocument();
    expect(screen.getByText("Approval")).toBeInTheDocument();
    fireEvent.click(screen.getByTestId("deploy-s1"));
    expect(onDeploy).toHaveBeenCalledWith("s1");
  });

  it("says why a stage cannot be deployed to", () => {
    render(
      <StageCard
        stage={{
          id: "s2",
          name: "Deploy to Prod",
          targetName: "Contoso Prod",
          gates: [],
          blockedReason: "Deploy to UAT first: a version reaches Prod only after it succeeded in UAT.",
        }}
        onDeploy={() => {}}
      />,
    );
    expect(screen.getByTestId("deploy-s2")).toBeDisabled();
    expect(screen.getByTestId("blocked-reason")).toHaveTextContent("Deploy to UAT first");
    expect(screen.getByText("Nothing deployed here yet.")).toBeInTheDocument();
  });

  it("keeps the package line while its hash is read, so the card does not grow under the pointer", () => {
    const lastRun = { version: "1.0.0.4", statusLabel: "Succeeded", outcome: "succeeded", when: "2026-01-01T10:00:00Z" };
    const card = (artifactHash: string | null | undefined) => (
      <StageCard stage={{ id: "s1", name: "Deploy to Test", targetName: "Test", gates: [], lastRun: { ...lastRun, artifactHash } }} onDeploy={() => {}} />
    );
    const { rerender } = render(card(undefined));
    const stage = screen.getByTestId("stage-card");
    expect(stage).toHaveAttribute("aria-busy", "true");
    expect(screen.getByTestId("package-hash")).toHaveTextContent("package …");
    rerender(card("ab12cd34ef56ab12"));
    expect(stage).toHaveAttribute("aria-busy", "false");
    expect(screen.getByTestId("package-hash")).toHaveTextContent("package ab12cd34ef56");
    rerender(card(null));
    expect(screen.getByTestId("package-hash")).toHaveTextContent("no package kept");
    expect(stage).toHaveAttribute("aria-busy", "false");
  });
});
