import { afterEach, describe, expect, it, vi } from "vitest";
import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import type { HistoryFilter } from "../ipc";
import { run } from "../test/fixtures";
import { HistoryPage } from "./HistoryPage";

const ipc = vi.hoisted(() => ({ filters: [] as HistoryFilter[] }));

vi.mock("../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../ipc")>()),
  history: async (filter: HistoryFilter) => {
    ipc.filters.push(filter);
    // Two pages: the newest run, then an older one.
    return filter.offset === 0
      ? { runs: [run({ id: "run-1", createdOn: "2026-12-01T09:00:00Z" })], nextOffset: 200 }
      : { runs: [run({ id: "run-0", createdOn: "2026-11-01T09:00:00Z" })], nextOffset: null };
  },
  historyChoices: async () => ({ solutions: ["ContosoCore"], stages: ["Deploy to Test"] }),
  syncHistory: async () => ({ transitions: 0, inserted: 0, seen: 0 }),
  status: async () => ({ online: true, problemCode: null }),
  profiles: async () => [],
}));

afterEach(() => {
  ipc.filters = [];
});

function renderPage() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <FluentProvider theme={webLightTheme}>
      <QueryClientProvider client={client}>
        <HistoryPage navigate={() => undefined} />
      </QueryClientProvider>
    </FluentProvider>,
  );
}

describe("HistoryPage", () => {
  it("reads a page of runs, and the next one as the end of the list comes into view", async () => {
    renderPage();
    await waitFor(() => expect(ipc.filters.map((f) => f.offset)).toEqual([0, 200]));
    expect(ipc.filters[0].limit).toBe(200);
    expect(await screen.findByRole("status")).toHaveTextContent("2 deployments");
  });

  it("asks the engine for a quick range of local days", async () => {
    renderPage();
    const when = await screen.findByTestId("filter-when");
    fireEvent.change(when, { target: { value: "week" } });
    const now = new Date();
    const first = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 6);
    await waitFor(() => expect(ipc.filters[ipc.filters.length - 1].createdFrom).toBe(first.toISOString()));
    expect(ipc.filters[ipc.filters.length - 1].createdBefore).toBeNull();
    // No calendar for a quick range: it loads only for a custom one.
    expect(screen.queryByTestId("filter-from")).toBeNull();
  });

  it("asks the engine for a custom day range picked from the calendar, in local days", async () => {
    renderPage();
    fireEvent.change(await screen.findByTestId("filter-when"), { target: { value: "custom" } });
    const from = await screen.findByTestId("filter-from");
    // The calendar arrived in a background render: let its effects run, as they have
    // long before a maker types (else the picker's first effect clears the text).
    await act(async () => undefined);
    fireEvent.change(from, { target: { value: "2026-11-20" } });
    fireEvent.keyDown(from, { key: "Enter" });
    await waitFor(() =>
      expect(ipc.filters.some((f) => f.createdFrom === new Date(2026, 10, 20).toISOString())).toBe(true),
    );
    expect(ipc.filters[ipc.filters.length - 1].createdBefore).toBeNull();
    // One click back to every day.
    fireEvent.click(screen.getByTestId("clear-dates"));
    await waitFor(() => expect(ipc.filters[ipc.filters.length - 1].createdFrom).toBeNull());
    expect(screen.queryByTestId("clear-dates")).toBeNull();
    expect(screen.queryByTestId("filter-from")).toBeNull();
  });

  it("filters by a solution picked from the cache's choices", async () => {
    renderPage();
    const solution = await screen.findByTestId("filter-solution");
    await waitFor(() => expect(solution).toHaveTextContent("ContosoCore"));
    fireEvent.change(solution, { target: { value: "ContosoCore" } });
    await waitFor(() => expect(ipc.filters[ipc.filters.length - 1].solution).toBe("ContosoCore"));
  });
});
