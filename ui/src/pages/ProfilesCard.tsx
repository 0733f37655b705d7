import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import {
  Badge,
  Button,
  Card,
  CardHeader,
  Field,
  Input,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { addProfile, switchProfile, type NewProfile } from "../ipc";
import { markWelcomed, useProfiles } from "../shell/useStatus";
import { ErrorNote } from "./ErrorNote";

const useStyles = makeStyles({
  card: { maxWidth: "760px", marginBottom: tokens.spacingVerticalL },
  form: { display: "grid", gridTemplateColumns: "1fr 1fr", gap: tokens.spacingHorizontalM },
  actions: { display: "flex", gap: tokens.spacingHorizontalS, marginTop: tokens.spacingVerticalS },
  muted: { color: tokens.colorNeutralForeground3, wordBreak: "break-all" },
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

/** Profiles: which host and dev environment; switch, or add one for a real host. */
export function ProfilesCard() {
  const styles = useStyles();
  const client = useQueryClient();
  const list = useProfiles();
  const [draft, setDraft] = useState<NewProfile>(EMPTY);
  const [adding, setAdding] = useState(false);
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
      setAdding(false);
      void client.invalidateQueries({ queryKey: ["profiles"] });
    },
  });
  return (
    <Card className={styles.card} data-testid="profiles-card">
      <CardHeader header={<Text weight="semibold">Profiles</Text>} description="Which pipelines host and development environment Ferry works with." />
      {list.isError && <ErrorNote title="Could not read the profiles" error={list.error} onRetry={() => void list.refetch()} />}
      {list.data && (
        <Table aria-label="Profiles" size="small">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Profile</TableHeaderCell>
              <TableHeaderCell>Host</TableHeaderCell>
              <TableHeaderCell>Development environment</TableHeaderCell>
              <TableHeaderCell>
                <span className="visually-hidden">In use</span>
              </TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {list.data.map((p) => (
              <TableRow key={p.id} data-testid={`profile-${p.id}`}>
                <TableCell>
                  <Text weight="semibold">{p.displayName}</Text>
                </TableCell>
                <TableCell>
                  <Text size={200} className={styles.muted}>
                    {p.kind === "localSandbox" ? "On this computer" : p.hostUrl}
                  </Text>
                </TableCell>
                <TableCell>{p.devEnvironment ?? "—"}</TableCell>
                <TableCell>
                  {p.active ? (
                    <Badge appearance="tint" color="success">
                      In use
                    </Badge>
                  ) : (
                    <Button size="small" onClick={() => use.mutate(p.id)} disabled={use.isPending} data-testid={`use-${p.id}`}>
                      Use
                    </Button>
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {use.isError && <ErrorNote title="Could not switch profiles" error={use.error} />}
      {adding ? (
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
          <div className={styles.actions}>
            <Button appearance="primary" type="submit" disabled={add.isPending} data-testid="save-profile">
              Add profile
            </Button>
            <Button onClick={() => setAdding(false)}>Cancel</Button>
          </div>
          {add.isError && <ErrorNote title="Could not add the profile" error={add.error} />}
        </form>
      ) : (
        <div className={styles.actions}>
          <Button onClick={() => setAdding(true)} data-testid="add-profile">
            Add a profile
          </Button>
        </div>
      )}
    </Card>
  );
}
