import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Badge,
  Button,
  Menu,
  MenuItem,
  MenuList,
  MenuPopover,
  MenuTrigger,
  Text,
  Tooltip,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { Person20Regular, SignOut20Regular } from "@fluentui/react-icons";
import { account, signOut } from "../ipc";
import { ErrorNote } from "../components/ErrorNote";
import { useHasActiveProfile, useStatus } from "./useStatus";

export const ACCOUNT_KEY = ["account"] as const;

const useStyles = makeStyles({
  root: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXXS,
    padding: tokens.spacingHorizontalM,
    borderTop: `1px solid ${tokens.colorNeutralStroke2}`,
  },
  muted: { color: tokens.colorNeutralForeground3, wordBreak: "break-all" },
  account: { justifyContent: "flex-start", minWidth: 0, paddingLeft: 0, wordBreak: "break-all", textAlign: "start" },
});

/**
 * Who is signed in (from the keyring, through `account`): for a real host a menu
 * with Sign out, which deletes the keyring entry; the sandbox's maker is plain text.
 */
function AccountMenu({ sandbox, fallback }: { sandbox: boolean; fallback: string | null }) {
  const styles = useStyles();
  const client = useQueryClient();
  const who = useQuery({ queryKey: ACCOUNT_KEY, queryFn: account });
  const out = useMutation({ mutationFn: signOut, onSuccess: () => client.invalidateQueries() });
  const name = who.data?.account ?? fallback;
  if (sandbox || !who.data) {
    return name ? (
      <Text size={200} data-testid="account">
        {name}
      </Text>
    ) : null;
  }
  return (
    <>
      <Menu>
        <MenuTrigger disableButtonEnhancement>
          <Button
            appearance="subtle"
            size="small"
            icon={<Person20Regular />}
            className={styles.account}
            data-testid="account"
            aria-label={`Signed in as ${name}: account menu`}
          >
            {name}
          </Button>
        </MenuTrigger>
        <MenuPopover>
          <MenuList>
            <MenuItem icon={<SignOut20Regular />} onClick={() => out.mutate()} data-testid="sign-out">
              Sign out
            </MenuItem>
          </MenuList>
        </MenuPopover>
      </Menu>
      {out.isError && <ErrorNote title="Could not sign out" error={out.error} testId="sign-out-error" />}
    </>
  );
}

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
      <AccountMenu key={s.profile.id} sandbox={s.profile.kind === "localSandbox"} fallback={s.account} />
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
