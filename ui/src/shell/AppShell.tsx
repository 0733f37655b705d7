import { useState } from "react";
import {
  NavDrawer,
  NavDrawerBody,
  NavDrawerHeader,
  NavItem,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import type { ColorScheme, ThemePreference } from "../theme";
import { PAGES, type PageId } from "./pages";
import { DeployPage } from "../pages/DeployPage";
import { HistoryPage } from "../pages/HistoryPage";
import { SettingsPage } from "../pages/SettingsPage";

const useStyles = makeStyles({
  root: { display: "flex", height: "100%", overflow: "hidden" },
  nav: { minWidth: "220px", maxWidth: "220px", height: "100%" },
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
  const [page, setPage] = useState<PageId>("deploy");
  return (
    <div className={styles.root}>
      <NavDrawer
        open
        type="inline"
        className={styles.nav}
        selectedValue={page}
        onNavItemSelect={(_, data) => setPage(data.value as PageId)}
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
            <NavItem key={id} value={id} icon={<Icon />} data-testid={`nav-${id}`}>
              {label}
            </NavItem>
          ))}
        </NavDrawerBody>
      </NavDrawer>
      <main className={styles.main} data-testid={`page-${page}`}>
        {page === "deploy" && <DeployPage />}
        {page === "history" && <HistoryPage />}
        {page === "settings" && <SettingsPage theme={theme} />}
      </main>
    </div>
  );
}
