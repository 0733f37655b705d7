import { useCallback, useEffect, useState } from "react";
import { webDarkTheme, webLightTheme, type Theme } from "@fluentui/react-components";

export type ColorScheme = "light" | "dark";
/** What the maker chose in Settings: follow the system, or a fixed scheme. */
export type ThemePreference = "system" | ColorScheme;

const DARK_QUERY = "(prefers-color-scheme: dark)";
const STORAGE_KEY = "ferry.theme";

/** The system's colour scheme, kept up to date while the app runs. */
export function useSystemColorScheme(): ColorScheme {
  const [scheme, setScheme] = useState<ColorScheme>(() =>
    window.matchMedia(DARK_QUERY).matches ? "dark" : "light",
  );
  useEffect(() => {
    const media = window.matchMedia(DARK_QUERY);
    const onChange = (event: MediaQueryListEvent) => setScheme(event.matches ? "dark" : "light");
    media.addEventListener("change", onChange);
    return () => media.removeEventListener("change", onChange);
  }, []);
  return scheme;
}

function readPreference(): ThemePreference {
  const stored = window.localStorage.getItem(STORAGE_KEY);
  return stored === "light" || stored === "dark" ? stored : "system";
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

export function resolveScheme(preference: ThemePreference, system: ColorScheme): ColorScheme {
  return preference === "system" ? system : preference;
}

export function themeFor(scheme: ColorScheme): Theme {
  return scheme === "dark" ? webDarkTheme : webLightTheme;
}
