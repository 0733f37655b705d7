import { describe, expect, it, vi } from "vitest";
import { act, fireEvent, render, screen } from "@testing-library/react";
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import { DayPicker } from "./DayPicker";

function renderPicker(day: string, onDay: (day: string) => void) {
  return (
    <FluentProvider theme={webLightTheme}>
      <DayPicker day={day} onDay={onDay} data-testid="day" />
    </FluentProvider>
  );
}

describe("DayPicker", () => {
  it("keeps what the maker typed when the page around it renders again", async () => {
    const onDay = vi.fn();
    const view = render(renderPicker("", onDay));
    // Let the picker's mount effects run, as they have long before a maker types.
    await act(async () => undefined);
    const input = screen.getByTestId("day");
    fireEvent.change(input, { target: { value: "2026-11-20" } });
    // A query answering in the background renders the page again, same day.
    view.rerender(renderPicker("", onDay));
    fireEvent.keyDown(input, { key: "Enter" });
    expect(onDay).toHaveBeenLastCalledWith("2026-11-20");
  });

  it("shows a day chosen elsewhere, and keeps it across renders", async () => {
    const view = render(renderPicker("2026-11-20", () => undefined));
    const input = screen.getByTestId<HTMLInputElement>("day");
    const shown = new Date(2026, 10, 20).toLocaleDateString();
    expect(input.value).toBe(shown);
    view.rerender(renderPicker("2026-11-21", () => undefined));
    await act(async () => undefined);
    expect(input.value).toBe(new Date(2026, 10, 21).toLocaleDateString());
  });
});
