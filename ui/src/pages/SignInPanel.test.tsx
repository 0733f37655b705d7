import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/react";
import { SignInPanel } from "./SignInPanel";

describe("SignInPanel", () => {
  it("shows a device code large, with a copy button", () => {
    render(<SignInPanel profileName="Contoso" deviceCode={{ userCode: "ABCD-1234", verificationUri: "https://login.example/device" }} />);
    expect(screen.getByTestId("device-code")).toHaveTextContent("ABCD-1234");
    expect(screen.getByRole("button", { name: "Copy code" })).toBeInTheDocument();
    expect(screen.getByText("https://login.example/device")).toBeInTheDocument();
  });

  it("says how to get going until sign-in is offered", () => {
    render(<SignInPanel profileName="Contoso" problem="no access token for the profile" />);
    expect(screen.getByText("no access token for the profile")).toBeInTheDocument();
    expect(screen.getByText(/FERRY_TOKEN/)).toBeInTheDocument();
  });
});
