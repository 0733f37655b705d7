import { useQuery } from "@tanstack/react-query";
import {
  Card,
  CardHeader,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { appInfo, type FerryError } from "../ipc";
import type { ColorScheme } from "../theme";
import { PageHeader } from "./PageHeader";

const useStyles = makeStyles({
  card: { maxWidth: "640px" },
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

export function SettingsPage({ colorScheme }: { colorScheme: ColorScheme }) {
  const styles = useStyles();
  const info = useQuery({ queryKey: ["app-info"], queryFn: appInfo });
  return (
    <>
      <PageHeader title="Settings" subtitle="How Ferry runs on this computer." />
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
            <dt className={styles.term}>System</dt>
            <dd className={styles.value}>{info.data.os}</dd>
            <dt className={styles.term}>Theme</dt>
            <dd className={styles.value} data-testid="about-theme">
              {colorScheme} (follows the system)
            </dd>
          </dl>
        )}
      </Card>
    </>
  );
}
