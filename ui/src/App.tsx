import { useEffect } from "react";
import { FluentProvider } from "@fluentui/react-components";
import { AppShell } from "./shell/AppShell";
import { resolveScheme, themeFor, useSystemColorScheme, useThemePreference } from "./theme";
import { benchReady } from "./ipc";
import { watchFirstData } from "./shell/start";
import { mark, marksSince } from "./shell/marks";

// With FERRY_BENCH_READY=1 (scripts/bench-app.sh): report when the first history row is shown.
const scriptMs = Date.now();
watchFirstData(
  (atMs) => void benchReady(atMs, performance.timeOrigin, scriptMs, marksSince(scriptMs)).catch(() => undefined),
);

export function App() {
  const system = useSystemColorScheme();
  const [preference, setPreference] = useThemePreference();
  const scheme = resolveScheme(preference, system);
  mark("render");
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
