import { afterEach, describe, expect, it, vi } from "vitest";
import { act, render, renderHook, screen } from "@testing-library/react";
import { webDarkTheme, webLightTheme } from "@fluentui/react-components";
import { onLinux, resolveScheme, themeFor, useSystemColorScheme, useThemePreference } from "./theme";

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
    expect(themeFor("dark", false)).toBe(webDarkTheme);
    expect(themeFor("light", false)).toBe(webLightTheme);
  });

  it("uses the desktop's generic font families on Linux, Fluent's stacks elsewhere", () => {
    const linux = themeFor("light", true);
    expect(linux.fontFamilyBase).toBe("sans-serif");
    expect(linux.fontFamilyMonospace).toBe("monospace");
    expect(linux.colorNeutralBackground1).toBe(webLightTheme.colorNeutralBackground1);
    expect(themeFor("dark", true).colorNeutralBackground1).toBe(webDarkTheme.colorNeutralBackground1);
    expect(themeFor("light", true)).toBe(linux);
    expect(onLinux("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko)")).toBe(true);
    expect(onLinux("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Edg/120.0")).toBe(false);
    expect(onLinux("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15")).toBe(false);
    expect(onLinux("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36")).toBe(false);
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
