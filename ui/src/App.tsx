import { useEffect } from "react";
import { FluentProvider } from "@fluentui/react-components";
import { AppShell } from "./shell/AppShell";
import { resolveScheme, themeFor, useSystemColorScheme, useThemePreference } from "./shell/theme";

/** The app: Fluent's theme (the maker's choice, or the system's) around the frame. */
export function App() {
  const system = useSystemColorScheme();
  const [preference, setPreference] = useThemePreference();
  const scheme = resolveScheme(preference, system);
  // Native parts of the page (scrollbars, form controls) follow the chosen scheme too.
  useEffect(() => {
    document.documentElement.style.colorScheme = scheme;
  }, [scheme]);
  return (
    <FluentProvider theme={themeFor(scheme)} data-theme={scheme} style={{ height: "100%" }}>
      <AppShell theme={{ scheme, preference, setPreference }} />
    </FluentProvider>
  );
}
