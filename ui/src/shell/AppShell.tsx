import { Suspense, lazy, useState, type ComponentType } from "react";
import {
  NavDrawer,
  NavDrawerBody,
  NavDrawerFooter,
  NavDrawerHeader,
  NavItem,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import type { ColorScheme, ThemePreference } from "./theme";
import { PAGES, type PageId } from "./pages";
import { sectionOf, type Route } from "./route";
import { startPageId } from "./startOptions";
import { OfflineBanner } from "./OfflineBanner";
import { loadPage, loadedPage, type PageComponent, type PageModule } from "./pageModules";

/**
 * A page in a chunk of its own (shell/pageModules.ts): rendered at once when its module
 * is here (the start page, which the entry loaded before the first render), else
 * suspended until it is.
 */
function lazyPage<K extends PageModule>(page: K): PageComponent<K> {
  type Props = Parameters<PageComponent<K>>[0];
  const Lazy = lazy(() => loadPage(page).then((component) => ({ default: component as ComponentType<Props> })));
  function Page(props: Props) {
    const Loaded = (loadedPage(page) as ComponentType<Props> | undefined) ?? Lazy;
    return <Loaded {...props} />;
  }
  return Page as PageComponent<K>;
}

// The pages load when first opened, the start page with the app's script: a start runs
// the frame and one page before its first commit (BENCHMARKS.md, desktop app startup).
const DeployPage = lazyPage("deploy");
const HistoryPage = lazyPage("history");
const SettingsPage = lazyPage("settings");
const SolutionPage = lazyPage("solution");
const DeployWizard = lazyPage("wizard");
const RunPage = lazyPage("run");
// Nothing of these is on the first screen: the connection's state comes with the host's
// status, a launched connection with its dialog.
const FrameStatus = lazy(() => import("./FrameStatus").then((m) => ({ default: m.FrameStatus })));
const LaunchedConnection = lazy(() => import("../connect/LaunchedConnection").then((m) => ({ default: m.LaunchedConnection })));

const useStyles = makeStyles({
  root: { display: "flex", height: "100%", overflow: "hidden" },
  nav: { minWidth: "220px", maxWidth: "220px", height: "100%" },
  // Fluent fades the selected item's bar in with an animation that fills "both"; WebKitGTK
  // then keeps painting the bar on the item left behind. A bar without the fade goes with
  // its item.
  item: { "::after": { animationName: "none" } },
  brand: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalS,
    paddingInline: tokens.spacingHorizontalM,
    paddingBlock: tokens.spacingVerticalM,
  },
  logo: {
    width: "28px",
    height: "28px",
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorBrandBackground,
    color: tokens.colorNeutralForegroundOnBrand,
    display: "grid",
    placeItems: "center",
    fontWeight: tokens.fontWeightSemibold,
  },
  main: {
    flexGrow: 1,
    overflowY: "auto",
    padding: `${tokens.spacingVerticalXXL} ${tokens.spacingHorizontalXXXL}`,
    backgroundColor: tokens.colorNeutralBackground2,
  },
});

export interface ThemeControl {
  scheme: ColorScheme;
  preference: ThemePreference;
  setPreference: (preference: ThemePreference) => void;
}

export function AppShell({ theme }: { theme: ThemeControl }) {
  const styles = useStyles();
  const [route, setRoute] = useState<Route>(() => ({ page: startPageId() }));
  const section = sectionOf(route);
  return (
    <div className={styles.root}>
      <NavDrawer
        open
        type="inline"
        className={styles.nav}
        selectedValue={section}
        onNavItemSelect={(_, data) => setRoute({ page: data.value as PageId })}
      >
        <NavDrawerHeader>
          <div className={styles.brand}>
            <span className={styles.logo} aria-hidden>
              F
            </span>
            <Text size={500} weight="semibold">
              Ferry
            </Text>
          </div>
        </NavDrawerHeader>
        <NavDrawerBody>
          {PAGES.map(({ id, label, icon: Icon }) => (
            <NavItem key={id} value={id} icon={<Icon />} className={styles.item} data-testid={`nav-${id}`}>
              {label}
            </NavItem>
          ))}
        </NavDrawerBody>
        <NavDrawerFooter>
          <Suspense fallback={null}>
            <FrameStatus />
          </Suspense>
        </NavDrawerFooter>
      </NavDrawer>
      <main className={styles.main} data-testid={`page-${section}`}>
        <OfflineBanner />
        <Suspense fallback={<Spinner label="Opening…" />}>
          {route.page === "deploy" && <DeployPage navigate={setRoute} />}
          {route.page === "solution" && <SolutionPage solution={route.solution} navigate={setRoute} />}
          {route.page === "wizard" && (
            <DeployWizard
              key={route.redeployOf ?? "new"}
              solution={route.solution}
              stageId={route.stageId}
              redeployOf={route.redeployOf ?? null}
              navigate={setRoute}
            />
          )}
          {route.page === "run" && <RunPage key={route.runId} runId={route.runId} from={route.from} navigate={setRoute} />}
          {route.page === "history" && <HistoryPage navigate={setRoute} />}
          {route.page === "settings" && <SettingsPage theme={theme} />}
        </Suspense>
      </main>
      <Suspense fallback={null}>
        <LaunchedConnection onConnected={() => setRoute({ page: "deploy" })} />
      </Suspense>
    </div>
  );
}
