// The colour scheme the window shows: the maker's preference (kept on this computer)
// or the system's. No imports; theme.ts builds on it.

export type ColorScheme = "light" | "dark";
/** What the maker chose in Settings: follow the system, or a fixed scheme. */
export type ThemePreference = "system" | ColorScheme;

export const DARK_QUERY = "(prefers-color-scheme: dark)";
export const STORAGE_KEY = "ferry.theme";

export function readPreference(): ThemePreference {
  const stored = window.localStorage.getItem(STORAGE_KEY);
  return stored === "light" || stored === "dark" ? stored : "system";
}

export function systemScheme(): ColorScheme {
  return window.matchMedia(DARK_QUERY).matches ? "dark" : "light";
}

export function resolveScheme(preference: ThemePreference, system: ColorScheme): ColorScheme {
  return preference === "system" ? system : preference;
}

/** The scheme the window shows now. */
export function currentScheme(): ColorScheme {
  return resolveScheme(readPreference(), systemScheme());
}
