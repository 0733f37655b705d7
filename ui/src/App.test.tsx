import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen } from "@testing-library/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { App } from "./App";
import { FerryError, type AppInfo } from "./ipc";

// A plain function, not vi.fn: vitest reports a vi.fn's rejected promise as a
// failure even when the caller handles it.
const ipc = vi.hoisted(() => ({
  appInfo: (): Promise<AppInfo> => Promise.reject(new Error("appInfo not set by the test")),
}));
vi.mock("./ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("./ipc")>()),
  appInfo: () => ipc.appInfo(),
}));

function renderApp() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <App />
    </QueryClientProvider>,
  );
}

describe("App shell", () => {

  it("opens on Deploy and navigates to History", async () => {
    renderApp();
    // Each page is a chunk of its own (shell/pageModules.ts): it may arrive a moment later.
    expect(await screen.findByRole("heading", { name: "Deploy" })).toBeInTheDocument();
    fireEvent.click(screen.getByTestId("nav-history"));
    expect(await screen.findByRole("heading", { name: "History" })).toBeInTheDocument();
  });

  it("shows the version and data folder that Rust reports", async () => {
    ipc.appInfo = async () => ({
      name: "Ferry",
      version: "1.2.3",
      dataDir: "/tmp/ferry",
      logsDir: "/tmp/ferry/logs",
      os: "linux",
    });
    renderApp();
    fireEvent.click(screen.getByTestId("nav-settings"));
    expect(await screen.findByTestId("about-version")).toHaveTextContent("Ferry 1.2.3");
    expect(screen.getByTestId("about-data-dir")).toHaveTextContent("/tmp/ferry");
    expect(screen.getByTestId("about-theme")).toHaveTextContent("light (follows the system)");
  });

  it("explains an IPC failure instead of showing nothing", async () => {
    ipc.appInfo = async () => {
      throw new FerryError("internal", "Set FERRY_DATA_DIR.");
    };
    renderApp();
    fireEvent.click(screen.getByTestId("nav-settings"));
    expect(await screen.findByTestId("about-error")).toHaveTextContent("Set FERRY_DATA_DIR.");
  });
});

describe("Settings", () => {
  it("switches to dark and back to the system scheme", async () => {
    window.localStorage.clear();
    ipc.appInfo = async () => ({ name: "Ferry", version: "1", dataDir: "/d", logsDir: "/d/logs", os: "linux" });
    renderApp();
    fireEvent.click(screen.getByTestId("nav-settings"));
    fireEvent.click(screen.getByLabelText("Dark"));
    expect(await screen.findByTestId("about-theme")).toHaveTextContent(/^dark$/);
    expect(document.querySelector("[data-theme]")).toHaveAttribute("data-theme", "dark");
    fireEvent.click(screen.getByLabelText("Same as the system"));
    expect(screen.getByTestId("about-theme")).toHaveTextContent("light (follows the system)");
    window.localStorage.clear();
  });
});
