import { Badge, Text, Tooltip, makeStyles, tokens } from "@fluentui/react-components";
import { useHasActiveProfile, useStatus } from "./useStatus";

const useStyles = makeStyles({
  root: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXXS,
    padding: tokens.spacingHorizontalM,
    borderTop: `1px solid ${tokens.colorNeutralStroke2}`,
  },
  muted: { color: tokens.colorNeutralForeground3, wordBreak: "break-all" },
});

/** The profile and account in use, at the foot of the navigation. */
export function FrameStatus() {
  const styles = useStyles();
  const hasProfile = useHasActiveProfile();
  const status = useStatus(hasProfile === true);
  if (hasProfile === false) {
    return (
      <div className={styles.root} data-testid="frame-status">
        <Text size={200} className={styles.muted}>
          Not connected
        </Text>
      </div>
    );
  }
  const s = status.data;
  if (!s) return null;
  const state = s.online ? "Connected" : s.problemCode === "offline" ? "Offline" : "Not connected";
  return (
    <section className={styles.root} aria-label="Connection" data-testid="frame-status">
      <Text weight="semibold" data-testid="active-profile">
        {s.profile.displayName}
      </Text>
      {s.account && (
        <Text size={200} data-testid="account">
          {s.account}
        </Text>
      )}
      {s.devEnvironmentName && (
        <Text size={200} className={styles.muted}>
          from {s.devEnvironmentName}
        </Text>
      )}
      <Tooltip content={s.problem ?? s.hostUrl ?? ""} relationship="description">
        <Badge
          appearance="tint"
          color={s.online ? "success" : "warning"}
          data-testid="connection-state"
          data-host-url={s.hostUrl ?? ""}
          tabIndex={0}
        >
          {state}
        </Badge>
      </Tooltip>
    </section>
  );
}
