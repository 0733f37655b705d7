import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/react";
import { Findings, findingsOf, parseMissing } from "./Findings";

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

describe("validation findings", () => {
  it("group missing dependencies by the solution they need", () => {
    expect(parseMissing("install ContosoAnalyticsBase (needed for cont_metric, cont_kpi)")).toEqual({
      solution: "ContosoAnalyticsBase",
      components: ["cont_metric", "cont_kpi"],
    });
    const { findings, missing } = findingsOf(
      [
        {
          id: "missing-dependencies",
          code: "0x8004801D",
          title: "Required solutions are missing in the target",
          cause: "c",
          nextStep: "n",
          details: ["install ContosoAnalyticsBase (needed for cont_metric)"],
        },
        { id: "throttled", code: null, title: "Too many requests", cause: "Busy.", nextStep: "Wait.", details: [] },
      ],
      [
        { severity: "warning", subject: null, message: "The target has a newer version" },
        { severity: "error", subject: "cont_x", message: "about one value: shown in the form" },
      ],
    );
    expect(missing).toEqual([{ solution: "ContosoAnalyticsBase", components: ["cont_metric"] }]);
    expect(findings).toEqual([
      { severity: "error", message: "Too many requests", advice: "Busy. Wait." },
      { severity: "warning", message: "The target has a newer version" },
    ]);
  });
});
