import { Suspense, lazy, useState } from "react";
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
import { FrameStatus } from "./FrameStatus";
import { OfflineBanner } from "./OfflineBanner";
import { DeployPage } from "../deploy/DeployPage";
import { HistoryPage } from "../history/HistoryPage";
import { LaunchedConnection } from "../connect/LaunchedConnection";

// The pages a start never shows load when first opened: less script to run before the
// first screen (BENCHMARKS.md, desktop app startup).
const SolutionPage = lazy(() => import("../solutions/SolutionPage").then((m) => ({ default: m.SolutionPage })));
const DeployWizard = lazy(() => import("../deploy/wizard/DeployWizard").then((m) => ({ default: m.DeployWizard })));
const RunPage = lazy(() => import("../run/RunPage").then((m) => ({ default: m.RunPage })));
const SettingsPage = lazy(() => import("../settings/SettingsPage").then((m) => ({ default: m.SettingsPage })));

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
          <FrameStatus />
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
      <LaunchedConnection onConnected={() => setRoute({ page: "deploy" })} />
    </div>
  );
}
