import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/react";
import { Findings } from "./Findings";

describe("Findings", () => {
  it("puts errors first and says the deployment is blocked", () => {
    render(
      <Findings
        findings={[
          { severity: "warning", message: "Version skips ahead", advice: "That is allowed." },
          { severity: "error", message: "Downgrade", advice: "Choose a higher version." },
        ]}
        missing={[]}
      />,
    );
    expect(screen.getByTestId("findings-verdict")).toHaveTextContent("cannot be deployed yet");
    const items = screen.getAllByTestId("finding");
    expect(items[0]).toHaveTextContent("Downgrade");
    expect(items[1]).toHaveTextContent("Version skips ahead");
  });

  it("groups missing components by the solution that provides them", () => {
    render(
      <Findings
        findings={[]}
        missing={[{ solution: "ContosoAnalyticsBase", minVersion: "3.0.0.0", components: ["cont_metric", "cont_kpi"] }]}
      />,
    );
    const m = screen.getByTestId("missing-solution");
    expect(m).toHaveTextContent("Needs ContosoAnalyticsBase 3.0.0.0 or later in the target");
    expect(m).toHaveTextContent("cont_metric");
    expect(m).toHaveTextContent("cont_kpi");
  });

  it("lets warnings through", () => {
    render(<Findings findings={[{ severity: "warning", message: "Heads up" }]} missing={[]} />);
    expect(screen.getByTestId("findings-verdict")).toHaveTextContent("Validation passed. Read the warnings");
  });
});
