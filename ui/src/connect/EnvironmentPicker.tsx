import { useState } from "react";
import {
  Badge,
  Button,
  Field,
  SearchBox,
  Skeleton,
  SkeletonItem,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import type { EnvironmentInfo } from "../ipc";
import { ErrorNote } from "../components/ErrorNote";
import { filterEnvironments, isNamed } from "./model";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  // The list keeps its height while it loads and while it is searched: nothing below jumps.
  list: {
    listStyleType: "none",
    margin: 0,
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXS,
    height: "300px",
    overflowY: "auto",
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    padding: tokens.spacingVerticalXS,
    boxSizing: "border-box",
  },
  item: {
    width: "100%",
    justifyContent: "flex-start",
    textAlign: "start",
    paddingBlock: tokens.spacingVerticalS,
    minHeight: "56px",
  },
  lines: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXXS, minWidth: 0, flexGrow: 1 },
  head: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalS, flexWrap: "wrap" },
  muted: { color: tokens.colorNeutralForeground3, wordBreak: "break-all", fontWeight: tokens.fontWeightRegular },
  skeleton: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, padding: tokens.spacingVerticalS },
  empty: { padding: tokens.spacingVerticalM, color: tokens.colorNeutralForeground3 },
  // One line always there, so a status appearing moves nothing.
  status: { minHeight: "20px" },
});

/** A failed connection: which environment and the engine's sentence. */
export interface PickFailure {
  environment: EnvironmentInfo;
  error: unknown;
}

/**
 * The environments a sign-in reaches, searchable by name, unique name, region or
 * URL: each a button (friendly name, region, URL). The list keeps its size while it
 * loads (aria-busy, skeleton rows). A failed connection says why in place, above the
 * list, and the maker picks another.
 */
export function EnvironmentPicker({
  environments,
  loading,
  error,
  onRetry,
  onPick,
  connecting,
  failure,
  named,
  label = "Environments",
}: {
  environments: readonly EnvironmentInfo[] | undefined;
  loading: boolean;
  error: unknown;
  onRetry: () => void;
  onPick: (environment: EnvironmentInfo) => void;
  /** The URL of the environment being connected, if one is. */
  connecting: string | null;
  failure: PickFailure | null;
  /** The environment a connection file names (listed first, marked). */
  named?: string | null;
  label?: string;
}) {
  const styles = useStyles();
  const [search, setSearch] = useState("");
  const shown = filterEnvironments(environments ?? [], search);
  const ordered = named ? [...shown.filter((e) => isNamed(e, named)), ...shown.filter((e) => !isNamed(e, named))] : shown;
  return (
    <div className={styles.root} data-testid="environment-picker">
      {failure && (
        <ErrorNote
          title={`${failure.environment.name} cannot be used yet`}
          error={failure.error}
          testId="environment-error"
        />
      )}
      {error != null && <ErrorNote title="Could not list the environments" error={error} onRetry={onRetry} testId="environments-error" />}
      <Field label="Find your development environment">
        <SearchBox
          placeholder="Search by name, region or URL"
          value={search}
          onChange={(_, d) => setSearch(d.value)}
          disabled={loading}
          data-testid="environment-search"
        />
      </Field>
      <ul className={styles.list} aria-label={label} aria-busy={loading} data-testid="environment-list">
        {loading && (
          <li className={styles.skeleton} aria-label="Reading the environments your account can reach">
            <Skeleton aria-hidden>
              {[0, 1, 2, 3].map((i) => (
                <SkeletonItem key={i} size={40} style={{ marginBottom: tokens.spacingVerticalS }} />
              ))}
            </Skeleton>
          </li>
        )}
        {!loading && environments && ordered.length === 0 && (
          <li className={styles.empty} data-testid="environment-none">
            {environments.length === 0
              ? "Your account reaches no environment in this tenant. Ask an admin for access to your development environment."
              : `No environment matches “${search}”.`}
          </li>
        )}
        {ordered.map((env) => {
          const busy = connecting != null && connecting === env.url;
          return (
            <li key={env.environmentId || env.url}>
              <Button
                appearance="subtle"
                className={styles.item}
                onClick={() => onPick(env)}
                disabled={connecting != null}
                data-testid="environment-option"
                data-env={env.name}
              >
                <span className={styles.lines}>
                  <span className={styles.head}>
                    <Text weight="semibold">{env.name}</Text>
                    {env.region && <Badge appearance="outline">{env.region}</Badge>}
                    {env.current && (
                      <Badge appearance="tint" color="success">
                        In use
                      </Badge>
                    )}
                    {isNamed(env, named) && (
                      <Badge appearance="tint" color="brand">
                        From the connection file
                      </Badge>
                    )}
                  </span>
                  <Text size={200} className={styles.muted}>
                    {env.url}
                  </Text>
                </span>
                {busy && <Spinner size="tiny" aria-hidden />}
              </Button>
            </li>
          );
        })}
      </ul>
      <div className={styles.status} aria-live="polite" data-testid="environment-status">
        {connecting && (
          <Text size={200}>Finding the pipelines host of {environments?.find((e) => e.url === connecting)?.name ?? connecting}…</Text>
        )}
      </div>
    </div>
  );
}
