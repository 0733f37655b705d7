import { useCallback, useEffect, useState } from "react";
import { webDarkTheme, webLightTheme, type Theme } from "@fluentui/react-components";
import { DARK_QUERY, STORAGE_KEY, readPreference, systemScheme, type ColorScheme, type ThemePreference } from "./scheme";

export { resolveScheme, type ColorScheme, type ThemePreference } from "./scheme";

/** The system's colour scheme, kept up to date while the app runs. */
export function useSystemColorScheme(): ColorScheme {
  const [scheme, setScheme] = useState<ColorScheme>(systemScheme);
  useEffect(() => {
    const media = window.matchMedia(DARK_QUERY);
    const onChange = (event: MediaQueryListEvent) => setScheme(event.matches ? "dark" : "light");
    media.addEventListener("change", onChange);
    return () => media.removeEventListener("change", onChange);
  }, []);
  return scheme;
}

/** The maker's theme preference, remembered on this computer. */
export function useThemePreference(): [ThemePreference, (p: ThemePreference) => void] {
  const [preference, setPreference] = useState<ThemePreference>(readPreference);
  const update = useCallback((next: ThemePreference) => {
    window.localStorage.setItem(STORAGE_KEY, next);
    setPreference(next);
  }, []);
  return [preference, update];
}

/**
 * Fluent's font stacks name Windows and Apple fonts first; on Linux none of them is
 * there, and WebKitGTK asks fontconfig for each in turn, for every size and weight the
 * page uses, before it reaches the generic family at the end (BENCHMARKS.md: about
 * 60 ms of the first screen). There the stacks are the desktop's own generic families,
 * which is what Fluent's lists end in on Linux anyway.
 */
const LINUX_FONTS = {
  fontFamilyBase: "sans-serif",
  fontFamilyMonospace: "monospace",
  fontFamilyNumeric: "sans-serif",
} as const;

/** Whether the webview runs on Linux (WebKitGTK's user agent says so; Android is not ours). */
export function onLinux(userAgent: string = navigator.userAgent): boolean {
  return /\bLinux\b/.test(userAgent) && !/\bAndroid\b/.test(userAgent);
}

const THEMES: Record<ColorScheme, [Theme, Theme]> = {
  light: [webLightTheme, { ...webLightTheme, ...LINUX_FONTS }],
  dark: [webDarkTheme, { ...webDarkTheme, ...LINUX_FONTS }],
};

/** Fluent's web theme for the scheme, with the platform's font stacks. */
export function themeFor(scheme: ColorScheme, linux: boolean = onLinux()): Theme {
  return THEMES[scheme][linux ? 1 : 0];
}
