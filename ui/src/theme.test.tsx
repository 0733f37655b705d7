import { afterEach, describe, expect, it, vi } from "vitest";
import { act, render, renderHook, screen } from "@testing-library/react";
import { webDarkTheme, webLightTheme } from "@fluentui/react-components";
import { resolveScheme, themeFor, useSystemColorScheme, useThemePreference } from "./theme";

function Probe() {
  return <span data-testid="scheme">{useSystemColorScheme()}</span>;
}

function fakeMedia(initiallyDark: boolean) {
  let listener: ((e: MediaQueryListEvent) => void) | undefined;
  const media = {
    matches: initiallyDark,
    addEventListener: (_: string, l: (e: MediaQueryListEvent) => void) => (listener = l),
    removeEventListener: () => (listener = undefined),
  };
  vi.spyOn(window, "matchMedia").mockReturnValue(media as unknown as MediaQueryList);
  return { flip: (dark: boolean) => listener?.({ matches: dark } as MediaQueryListEvent) };
}

afterEach(() => vi.restoreAllMocks());

describe("system colour scheme", () => {
  it("starts dark when the system is dark and follows changes", () => {
    const media = fakeMedia(true);
    render(<Probe />);
    expect(screen.getByTestId("scheme")).toHaveTextContent("dark");
    act(() => media.flip(false));
    expect(screen.getByTestId("scheme")).toHaveTextContent("light");
  });

  it("maps schemes to Fluent's web themes", () => {
    expect(themeFor("dark")).toBe(webDarkTheme);
    expect(themeFor("light")).toBe(webLightTheme);
  });
});

describe("theme preference", () => {
  it("overrides the system and is remembered", () => {
    expect(resolveScheme("system", "dark")).toBe("dark");
    expect(resolveScheme("light", "dark")).toBe("light");
    window.localStorage.clear();
    const first = renderHook(() => useThemePreference());
    expect(first.result.current[0]).toBe("system");
    act(() => first.result.current[1]("dark"));
    expect(first.result.current[0]).toBe("dark");
    const again = renderHook(() => useThemePreference());
    expect(again.result.current[0]).toBe("dark");
    window.localStorage.clear();
  });
});
