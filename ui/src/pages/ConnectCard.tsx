import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Button, Card, CardHeader, Text, makeStyles, tokens } from "@fluentui/react-components";
import { Beaker20Regular } from "@fluentui/react-icons";
import { switchProfile } from "../ipc";
import { markWelcomed } from "../shell/useStatus";
import { ErrorNote } from "./ErrorNote";

const useStyles = makeStyles({
  card: { maxWidth: "640px", padding: tokens.spacingVerticalXL, gap: tokens.spacingVerticalM },
  actions: { display: "flex", gap: tokens.spacingHorizontalM, flexWrap: "wrap" },
});

/** First start: try the Local sandbox in one click, or connect to a real host. */
export function ConnectCard({ onAddProfile }: { onAddProfile: () => void }) {
  const styles = useStyles();
  const client = useQueryClient();
  const start = useMutation({
    mutationFn: () => switchProfile("sandbox"),
    onSuccess: () => {
      markWelcomed();
      return client.invalidateQueries();
    },
  });
  return (
    <Card className={styles.card} data-testid="connect-card">
      <CardHeader header={<Text size={500} weight="semibold">Connect Ferry to a pipelines host</Text>} />
      <Text>
        The Local sandbox runs a pipelines host on this computer with a demo tenant — development, test, UAT and
        production environments, two pipelines and a few solutions — so you can try every step without a tenant.
      </Text>
      <div className={styles.actions}>
        <Button
          appearance="primary"
          icon={<Beaker20Regular />}
          onClick={() => start.mutate()}
          disabled={start.isPending}
          data-testid="use-sandbox"
        >
          {start.isPending ? "Starting the Local sandbox…" : "Use the Local sandbox"}
        </Button>
        <Button onClick={onAddProfile} data-testid="add-profile-link">
          Add a profile for your host
        </Button>
      </div>
      {start.isError && <ErrorNote title="The Local sandbox did not start" error={start.error} />}
    </Card>
  );
}
