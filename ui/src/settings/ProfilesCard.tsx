import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Badge,
  Button,
  Card,
  CardHeader,
  Checkbox,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { ArrowSwap20Regular, Delete20Regular, PersonKey20Regular } from "@fluentui/react-icons";
import {
  addProfile,
  environments,
  removeProfile,
  switchProfile,
  useEnvironment as switchEnvironment,
  type EnvironmentInfo,
  type NewProfile,
  type ProfileInfo,
  type RemovedProfile,
} from "../ipc";
import { markWelcomed, useProfiles } from "../shell/useStatus";
import { EnvironmentPicker, type PickFailure } from "../connect/EnvironmentPicker";
import { PowerPlatformSignIn } from "../connect/PowerPlatformSignIn";
import { cloudLabel, methodLabel } from "../connect/model";
import { ErrorNote } from "../components/ErrorNote";

const useStyles = makeStyles({
  card: { maxWidth: "760px", marginBottom: tokens.spacingVerticalL },
  list: { listStyleType: "none", margin: 0, padding: 0, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  profile: {
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    padding: tokens.spacingVerticalM,
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
  },
  head: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalS, flexWrap: "wrap" },
  name: { flexGrow: 1 },
  facts: {
    display: "grid",
    gridTemplateColumns: "max-content 1fr",
    columnGap: tokens.spacingHorizontalXL,
    rowGap: tokens.spacingVerticalXXS,
    margin: 0,
  },
  term: { color: tokens.colorNeutralForeground3 },
  value: { margin: 0, wordBreak: "break-word" },
  muted: { color: tokens.colorNeutralForeground3, wordBreak: "break-all" },
  form: { display: "grid", gridTemplateColumns: "1fr 1fr", gap: tokens.spacingHorizontalM },
  actions: { display: "flex", gap: tokens.spacingHorizontalS, marginTop: tokens.spacingVerticalS, flexWrap: "wrap" },
});

const EMPTY: NewProfile = {
  id: "",
  displayName: null,
  hostUrl: "",
  devEnvironment: "",
  authority: null,
  tenant: null,
  clientId: null,
};

/** Whether a profile was made by signing in to a cloud (so its tenant's environments can be listed). */
export function madeBySigningIn(p: ProfileInfo): boolean {
  return p.kind === "cloud" && p.signIn != null && p.cloud != null;
}

/**
 * Profiles: each one's environment, host (and how Ferry found it), cloud and sign-in;
 * use one, switch the one in use to another environment of its tenant, remove one;
 * sign in to Power Platform for a new one, or add one for a host by hand.
 */
export function ProfilesCard() {
  const styles = useStyles();
  const client = useQueryClient();
  const list = useProfiles();
  const [draft, setDraft] = useState<NewProfile>(EMPTY);
  const [adding, setAdding] = useState<"host" | "signIn" | null>(null);
  const [switching, setSwitching] = useState(false);
  const [removing, setRemoving] = useState<ProfileInfo | null>(null);
  const [removed, setRemoved] = useState<{ profile: ProfileInfo; result: RemovedProfile } | null>(null);
  const use = useMutation({
    mutationFn: switchProfile,
    onSuccess: () => {
      markWelcomed();
      return client.invalidateQueries();
    },
  });
  const add = useMutation({
    mutationFn: () => addProfile(draft),
    onSuccess: () => {
      setDraft(EMPTY);
      setAdding(null);
      void client.invalidateQueries({ queryKey: ["profiles"] });
    },
  });
  return (
    <Card className={styles.card} data-testid="profiles-card">
      <CardHeader header={<Text weight="semibold">Profiles</Text>} description="Which pipelines host and development environment Ferry works with." />
      {list.isError && <ErrorNote title="Could not read the profiles" error={list.error} onRetry={() => void list.refetch()} />}
      {list.data && (
        <ul className={styles.list} aria-label="Profiles">
          {list.data.map((p) => (
            <li key={p.id} className={styles.profile} data-testid={`profile-${p.id}`} aria-label={`Profile ${p.displayName}`}>
              <div className={styles.head}>
                <Text weight="semibold" className={styles.name}>
                  {p.displayName}
                </Text>
                {p.active ? (
                  <Badge appearance="tint" color="success">
                    In use
                  </Badge>
                ) : (
                  <Button size="small" onClick={() => use.mutate(p.id)} disabled={use.isPending} data-testid={`use-${p.id}`}>
                    Use
                  </Button>
                )}
                {p.active && madeBySigningIn(p) && (
                  <Button size="small" icon={<ArrowSwap20Regular />} onClick={() => setSwitching(true)} data-testid="switch-environment">
                    Switch environment
                  </Button>
                )}
                {p.kind !== "localSandbox" && (
                  <Button
                    size="small"
                    icon={<Delete20Regular />}
                    onClick={() => {
                      setRemoved(null);
                      setRemoving(p);
                    }}
                    aria-label={`Remove ${p.displayName}`}
                    data-testid={`remove-${p.id}`}
                  >
                    Remove
                  </Button>
                )}
              </div>
              <ProfileFacts profile={p} />
            </li>
          ))}
        </ul>
      )}
      {use.isError && <ErrorNote title="Could not switch profiles" error={use.error} />}
      {removed && (
        <MessageBar intent="success" data-testid="profile-removed">
          <MessageBarBody>{removedSentence(removed.profile, removed.result)}</MessageBarBody>
        </MessageBar>
      )}
      {adding === "signIn" && (
        <PowerPlatformSignIn onDone={() => setAdding(null)} onCancel={() => setAdding(null)} />
      )}
      {adding === "host" && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            add.mutate();
          }}
          aria-label="Add a profile"
        >
          <div className={styles.form}>
            <Field label="Name" required hint="Letters, digits, - or _, like contoso-prod.">
              <Input value={draft.id} onChange={(_, d) => setDraft({ ...draft, id: d.value })} data-testid="new-profile-id" />
            </Field>
            <Field label="Display name">
              <Input value={draft.displayName ?? ""} onChange={(_, d) => setDraft({ ...draft, displayName: d.value || null })} />
            </Field>
            <Field label="Pipelines host URL" required hint="The host environment, like https://contoso-host.crm.dynamics.com.">
              <Input value={draft.hostUrl} onChange={(_, d) => setDraft({ ...draft, hostUrl: d.value })} data-testid="new-profile-host" />
            </Field>
            <Field label="Development environment" required hint="Its environment id or name.">
              <Input value={draft.devEnvironment} onChange={(_, d) => setDraft({ ...draft, devEnvironment: d.value })} data-testid="new-profile-dev" />
            </Field>
          </div>
          <Checkbox
            label="Allow plain http:// to a test host on the network (ferry host serve --listen)"
            checked={draft.allowInsecureHttp ?? false}
            onChange={(_, d) => setDraft({ ...draft, allowInsecureHttp: d.checked === true })}
            data-testid="new-profile-insecure-http"
          />
          {draft.allowInsecureHttp && (
            <MessageBar intent="warning" data-testid="insecure-http-warning">
              <MessageBarBody>
                With plain http:// your sign-in token crosses the network unencrypted: anyone on the way can read it
                and act as you. Only for a test host you serve yourself; real hosts use https://.
              </MessageBarBody>
            </MessageBar>
          )}
          <div className={styles.actions}>
            <Button appearance="primary" type="submit" disabled={add.isPending} data-testid="save-profile">
              Add profile
            </Button>
            <Button onClick={() => setAdding(null)}>Cancel</Button>
          </div>
          {add.isError && <ErrorNote title="Could not add the profile" error={add.error} />}
        </form>
      )}
      {adding == null && (
        <div className={styles.actions}>
          <Button icon={<PersonKey20Regular />} onClick={() => setAdding("signIn")} data-testid="profiles-sign-in">
            Sign in to Power Platform
          </Button>
          <Button onClick={() => setAdding("host")} data-testid="add-profile">
            Add a profile for a host by hand
          </Button>
        </div>
      )}
      <SwitchEnvironmentDialog open={switching} onClose={() => setSwitching(false)} />
      <RemoveProfileDialog
        profile={removing}
        onClose={() => setRemoving(null)}
        onRemoved={(profile, result) => {
          setRemoving(null);
          setRemoved({ profile, result });
        }}
      />
    </Card>
  );
}

/** What a profile is: its environment, host and how it was found, cloud and sign-in. */
function ProfileFacts({ profile: p }: { profile: ProfileInfo }) {
  const styles = useStyles();
  const sandbox = p.kind === "localSandbox";
  const envName = p.devEnvironmentName ?? p.devEnvironment ?? "—";
  return (
    <dl className={styles.facts}>
      <dt className={styles.term}>Environment</dt>
      <dd className={styles.value} data-testid="profile-environment">
        {envName}
        {p.devEnvironmentUrl && (
          <>
            {" · "}
            <Text size={200} className={styles.muted}>
              {p.devEnvironmentUrl}
            </Text>
          </>
        )}
      </dd>
      <dt className={styles.term}>Pipelines host</dt>
      <dd className={styles.value} data-testid="profile-host">
        {sandbox ? "On this computer" : <Text className={styles.muted}>{p.hostUrl}</Text>}
      </dd>
      {p.hostFound && (
        <>
          <dt className={styles.term}>How it was found</dt>
          <dd className={styles.value} data-testid="profile-host-found">
            <Text size={200}>{p.hostFound}</Text>
          </dd>
        </>
      )}
      {!sandbox && (
        <>
          <dt className={styles.term}>Cloud</dt>
          <dd className={styles.value} data-testid="profile-cloud">
            {p.cloud ? cloudLabel(p.cloud) : "From the host's address"}
          </dd>
          <dt className={styles.term}>Sign-in</dt>
          <dd className={styles.value} data-testid="profile-sign-in">
            {p.signIn ? methodLabel(p.signIn) : "Chosen when you sign in"}
            {p.tenant ? ` · tenant ${p.tenant}` : ""}
          </dd>
        </>
      )}
    </dl>
  );
}

/** What removing a profile did, in one sentence. */
export function removedSentence(profile: ProfileInfo, r: RemovedProfile): string {
  const signIn = r.tokensDeleted
    ? "its sign-in left this computer's keyring"
    : profile.signIn === "azureCli"
      ? "the Azure CLI keeps its own sign-in"
      : "its sign-in stays in the keyring: another profile shares it";
  const runs = r.runsDeleted === 1 ? "1 run of cached history" : `${r.runsDeleted} runs of cached history`;
  return `Removed ${profile.displayName}: ${signIn}, and ${runs} went with it.`;
}

/** Another environment of the tenant of the profile in use. */
function SwitchEnvironmentDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const client = useQueryClient();
  const list = useQuery({ queryKey: ["environments"], queryFn: environments, enabled: open });
  const [failure, setFailure] = useState<PickFailure | null>(null);
  const choose = useMutation({
    mutationFn: (env: EnvironmentInfo) => switchEnvironment(env.url),
    onMutate: () => setFailure(null),
    onSuccess: () => {
      onClose();
      return client.invalidateQueries();
    },
    onError: (error, environment) => setFailure({ environment, error }),
  });
  return (
    <Dialog
      open={open}
      onOpenChange={(_, d) => {
        if (!d.open && !choose.isPending) {
          setFailure(null);
          onClose();
        }
      }}
    >
      <DialogSurface data-testid="switch-environment-dialog" style={{ maxWidth: "720px" }}>
        <DialogBody>
          <DialogTitle>Switch environment</DialogTitle>
          <DialogContent>
            <Text as="p">
              The environments your sign-in reaches in this tenant. Ferry finds the pipelines host of the one you pick and
              keeps it as a profile of its own, sharing this sign-in.
            </Text>
            <EnvironmentPicker
              environments={list.data}
              loading={list.isPending}
              error={list.isError ? list.error : null}
              onRetry={() => void list.refetch()}
              onPick={(env) => choose.mutate(env)}
              connecting={choose.isPending ? (choose.variables?.url ?? null) : null}
              failure={failure}
            />
          </DialogContent>
          <DialogActions>
            <Button onClick={onClose} disabled={choose.isPending}>
              Close
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

/** Removing a profile, confirmed: what goes with it. */
function RemoveProfileDialog({
  profile,
  onClose,
  onRemoved,
}: {
  profile: ProfileInfo | null;
  onClose: () => void;
  onRemoved: (profile: ProfileInfo, result: RemovedProfile) => void;
}) {
  const client = useQueryClient();
  const remove = useMutation({
    mutationFn: (p: ProfileInfo) => removeProfile(p.id),
    onSuccess: (result, p) => {
      onRemoved(p, result);
      return client.invalidateQueries();
    },
  });
  return (
    <Dialog
      open={profile != null}
      onOpenChange={(_, d) => {
        if (!d.open && !remove.isPending) {
          remove.reset();
          onClose();
        }
      }}
    >
      <DialogSurface data-testid="remove-profile-dialog">
        <DialogBody>
          <DialogTitle>Remove {profile?.displayName}?</DialogTitle>
          <DialogContent style={{ display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS }}>
            <Text>
              {profile?.signIn === "azureCli"
                ? "Ferry forgets this profile; the Azure CLI keeps its own sign-in."
                : "Its sign-in leaves this computer's keyring, unless another profile of the same sign-in still uses it."}
            </Text>
            <Text>
              Its cached history goes with it: the runs Ferry kept for this profile are deleted from this computer (the
              stage runs stay on the host).
            </Text>
            {profile?.active && <Text>It is the profile in use: Ferry switches to the Local sandbox.</Text>}
            {remove.isError && <ErrorNote title="Could not remove the profile" error={remove.error} testId="remove-error" />}
          </DialogContent>
          <DialogActions>
            <Button
              appearance="primary"
              onClick={() => profile && remove.mutate(profile)}
              disabled={remove.isPending}
              data-testid="confirm-remove"
            >
              {remove.isPending ? "Removing…" : "Remove"}
            </Button>
            <Button onClick={onClose} disabled={remove.isPending}>
              Keep it
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
