import { useMutation, useQuery } from "@tanstack/react-query";
import {
  Button,
  Card,
  CardHeader,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Radio,
  RadioGroup,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { appInfo, openLogsFolder, type FerryError } from "../ipc";
import type { ThemePreference } from "../shell/theme";
import type { ThemeControl } from "../shell/AppShell";
import { CacheCard } from "./CacheCard";
import { PageHeader } from "../components/PageHeader";
import { ProfilesCard } from "./ProfilesCard";

const useStyles = makeStyles({
  card: { maxWidth: "760px", marginBottom: tokens.spacingVerticalL },
  facts: {
    display: "grid",
    gridTemplateColumns: "max-content 1fr",
    columnGap: tokens.spacingHorizontalXL,
    rowGap: tokens.spacingVerticalS,
    margin: 0,
  },
  term: { color: tokens.colorNeutralForeground3 },
  value: { margin: 0 },
  path: { margin: 0, fontFamily: tokens.fontFamilyMonospace, wordBreak: "break-all" },
});

export function SettingsPage({ theme }: { theme: ThemeControl }) {
  const styles = useStyles();
  const info = useQuery({ queryKey: ["app-info"], queryFn: appInfo });
  const openLogs = useMutation({ mutationFn: openLogsFolder });
  return (
    <>
      <PageHeader title="Settings" subtitle="How Ferry runs on this computer." />
      <ProfilesCard />
      <Card className={styles.card}>
        <CardHeader header={<Text weight="semibold" id="theme-label">Theme</Text>} />
        <RadioGroup
          aria-labelledby="theme-label"
          layout="horizontal"
          value={theme.preference}
          onChange={(_, data) => theme.setPreference(data.value as ThemePreference)}
          data-testid="theme-choice"
        >
          <Radio value="system" label="Same as the system" />
          <Radio value="light" label="Light" />
          <Radio value="dark" label="Dark" />
        </RadioGroup>
      </Card>
      <CacheCard />
      <Card className={styles.card}>
        <CardHeader header={<Text weight="semibold">About Ferry</Text>} />
        {info.isPending && <Spinner size="small" label="Asking Ferry's engine…" />}
        {info.isError && (
          <MessageBar intent="error" data-testid="about-error">
            <MessageBarBody>
              <MessageBarTitle>Could not read the app's details</MessageBarTitle>
              {(info.error as FerryError).message}
            </MessageBarBody>
          </MessageBar>
        )}
        {info.data && (
          <dl className={styles.facts} data-testid="about">
            <dt className={styles.term}>Version</dt>
            <dd className={styles.value} data-testid="about-version">
              {info.data.name} {info.data.version}
            </dd>
            <dt className={styles.term}>Data folder</dt>
            <dd className={styles.path} data-testid="about-data-dir">
              {info.data.dataDir}
            </dd>
            <dt className={styles.term}>Logs</dt>
            <dd className={styles.value}>
              <div className={styles.path} data-testid="about-logs-dir">
                {info.data.logsDir}
              </div>
              <Button size="small" onClick={() => openLogs.mutate()} data-testid="open-logs">
                Open logs folder
              </Button>
              {openLogs.isError && (
                <MessageBar intent="error" data-testid="open-logs-error">
                  <MessageBarBody>{(openLogs.error as FerryError).message}</MessageBarBody>
                </MessageBar>
              )}
            </dd>
            <dt className={styles.term}>System</dt>
            <dd className={styles.value}>{info.data.os}</dd>
            <dt className={styles.term}>Theme</dt>
            <dd className={styles.value} data-testid="about-theme">
              {theme.scheme}
              {theme.preference === "system" ? " (follows the system)" : ""}
            </dd>
            <dt className={styles.term}>License</dt>
            <dd className={styles.value} data-testid="about-license">
              Ferry is MIT licensed. It is built on open-source software under MIT or Apache-2.0 terms, among
              them Tauri, React, Fluent UI, TanStack Query, Tokio, SQLite (public domain) and rusqlite.
            </dd>
          </dl>
        )}
      </Card>
    </>
  );
}
