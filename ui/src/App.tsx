import { useEffect, useLayoutEffect } from "react";
import { FluentProvider, RendererProvider } from "@fluentui/react-components";
import { AppShell } from "./shell/AppShell";
import { resolveScheme, themeFor, useSystemColorScheme, useThemePreference } from "./theme";
import { benchReady } from "./ipc";
import type { FirstReads } from "./shell/firstReads";
import { firstCommit } from "./shell/firstScreen";
import { firstDataMoment } from "./shell/start";
import { startPageId } from "./shell/startOptions";
import { mark, marksSince } from "./shell/marks";
import { styleRenderer } from "./styles";

// When the app's script ran: the startup marks count from here (scripts/bench-app.sh).
const scriptMs = Date.now();

/** The app. `first`: the entry's first reads (shell/firstReads.ts); tests go without. */
export function App({ first }: { first?: FirstReads }) {
  const system = useSystemColorScheme();
  const [preference, setPreference] = useThemePreference();
  const scheme = resolveScheme(preference, system);
  mark("render");
  // Native parts of the page (scrollbars, form controls) follow the chosen scheme too.
  useEffect(() => {
    document.documentElement.style.colorScheme = scheme;
  }, [scheme]);
  // The first commit: a painted first screen is replaced, this one is kept for the next
  // start, and with FERRY_BENCH_READY=1 the startup report goes out (it carries this
  // moment as "commit", and when the first history row was in the DOM).
  useLayoutEffect(() => {
    const root = document.getElementById("root");
    if (root && first) firstCommit(root, startPageId(), scheme, first.profiles, styleRenderer.insertionCache);
    void firstDataMoment()
      ?.then((atMs) => benchReady(atMs, performance.timeOrigin, scriptMs, marksSince(scriptMs)))
      .catch(() => undefined);
    // Only the first commit counts.
    // oxlint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return (
    <RendererProvider renderer={styleRenderer} targetDocument={document}>
      <FluentProvider theme={themeFor(scheme)} data-theme={scheme} style={{ height: "100%" }}>
        <AppShell theme={{ scheme, preference, setPreference }} />
      </FluentProvider>
    </RendererProvider>
  );
}
