import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Button, Card, CardHeader, Text, makeStyles, tokens } from "@fluentui/react-components";
import { Beaker20Regular, DocumentArrowUp20Regular, PersonKey20Regular } from "@fluentui/react-icons";
import { switchProfile } from "../ipc";
import { markWelcomed } from "../shell/useStatus";
import { PowerPlatformSignIn } from "./PowerPlatformSignIn";
import type { Registration } from "./model";
import { ErrorNote } from "../components/ErrorNote";

const useStyles = makeStyles({
  card: { maxWidth: "720px", padding: tokens.spacingVerticalXL, gap: tokens.spacingVerticalM },
  actions: { display: "flex", gap: tokens.spacingHorizontalM, flexWrap: "wrap" },
});

/**
 * First start: try the Local sandbox in one click, sign in to Power Platform and
 * pick the environment you deploy from, or use a connection file from your admin.
 */
export function ConnectCard() {
  const styles = useStyles();
  const client = useQueryClient();
  const [signIn, setSignIn] = useState<Registration | null>(null);
  const start = useMutation({
    mutationFn: () => switchProfile("sandbox"),
    onSuccess: () => {
      markWelcomed();
      return client.invalidateQueries();
    },
  });
  if (signIn) {
    // Connected: the profiles' refresh shows the solutions in place of this card.
    return <PowerPlatformSignIn registration={signIn} onDone={() => undefined} onCancel={() => setSignIn(null)} />;
  }
  return (
    <Card className={styles.card} data-testid="connect-card">
      <CardHeader header={<Text size={500} weight="semibold">Connect Ferry to your pipelines</Text>} />
      <Text>
        Sign in to Power Platform with your work account and pick the development environment you deploy from: Ferry
        finds its pipelines host by itself. Your admin may have sent you a connection file for your tenant instead.
      </Text>
      <Text>
        Or try everything first in the Local sandbox: a pipelines host on this computer with a demo tenant — development,
        test, UAT and production environments, pipelines and a few solutions.
      </Text>
      <div className={styles.actions}>
        <Button
          appearance="primary"
          icon={<PersonKey20Regular />}
          onClick={() => setSignIn("clientId")}
          data-testid="sign-in-to-power-platform"
        >
          Sign in to Power Platform
        </Button>
        <Button icon={<DocumentArrowUp20Regular />} onClick={() => setSignIn("file")} data-testid="use-connection-file">
          Use a connection file…
        </Button>
        <Button
          icon={<Beaker20Regular />}
          onClick={() => start.mutate()}
          disabled={start.isPending}
          data-testid="use-sandbox"
        >
          {start.isPending ? "Starting the Local sandbox…" : "Use the Local sandbox"}
        </Button>
      </div>
      {start.isError && <ErrorNote title="The Local sandbox did not start" error={start.error} />}
    </Card>
  );
}
