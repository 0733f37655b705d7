import { useEffect, useRef, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { Button, Card, CardHeader, Text, makeStyles, tokens } from "@fluentui/react-components";
import { cancelOperation, newOperationId, signIn, type SignInEvent, type SignInMethod } from "../ipc";
import { SignInPrompt } from "./SignInPrompt";
import { ErrorNote } from "../components/ErrorNote";

const useStyles = makeStyles({
  card: { maxWidth: "640px", padding: tokens.spacingVerticalL },
  actions: { display: "flex", gap: tokens.spacingHorizontalS, flexWrap: "wrap" },
  muted: { color: tokens.colorNeutralForeground3, wordBreak: "break-all" },
});

type Step =
  | { kind: "idle" }
  | { kind: "starting"; method: SignInMethod; opId: string }
  | { kind: "prompted"; event: SignInEvent; opId: string }
  | { kind: "failed"; error: unknown };

/**
 * Signing in to a profile's host: with a code (the default: shown large with a
 * copy button, to enter on the sign-in page in any browser) or in this computer's
 * browser. While it waits, the page can be opened again and the sign-in cancelled;
 * once signed in, every query refreshes and the page shows its content.
 */
export function SignInPanel({ profileName, problem }: { profileName: string; problem?: string | null }) {
  const styles = useStyles();
  const client = useQueryClient();
  const [step, setStep] = useState<Step>({ kind: "idle" });
  const waiting = useRef<string | null>(null);

  // Leaving the page stops a sign-in that is still waiting.
  useEffect(
    () => () => {
      if (waiting.current) void cancelOperation(waiting.current).catch(() => undefined);
    },
    [],
  );

  const start = (method: SignInMethod) => {
    const opId = newOperationId("sign-in");
    waiting.current = opId;
    setStep({ kind: "starting", method, opId });
    signIn(method, opId, (event) => {
      if (waiting.current === opId) setStep({ kind: "prompted", event, opId });
    }).then(
      (account) => {
        if (waiting.current !== opId) return;
        waiting.current = null;
        setStep({ kind: "idle" });
        // Signed in: the status, account and the page's own reads start over.
        if (account) void client.invalidateQueries();
      },
      (error: unknown) => {
        if (waiting.current !== opId) return;
        waiting.current = null;
        setStep({ kind: "failed", error });
      },
    );
  };

  const cancel = (opId: string) => {
    waiting.current = null;
    setStep({ kind: "idle" });
    void cancelOperation(opId).catch(() => undefined);
  };

  let body;
  if (step.kind === "starting" || step.kind === "prompted") {
    body = (
      <SignInPrompt
        key={step.opId}
        event={step.kind === "prompted" ? step.event : null}
        startingLabel={
          step.kind === "starting" && step.method === "deviceCode"
            ? "Asking the host for a sign-in code…"
            : "Opening the sign-in page in your browser…"
        }
        onCancel={() => cancel(step.opId)}
      />
    );
  } else {
    body = (
      <>
        <Text>
          Ferry is not signed in to {profileName}. Sign in with a code you enter on the sign-in page in any browser, or
          in this computer's browser.
        </Text>
        {problem && step.kind === "idle" && (
          <Text size={200} className={styles.muted} data-testid="sign-in-problem">
            {problem}
          </Text>
        )}
        {step.kind === "failed" && (
          <ErrorNote
            title="Sign-in did not finish. Check the account and the host, then sign in again."
            error={step.error}
            testId="sign-in-error"
          />
        )}
        <div className={styles.actions}>
          <Button appearance="primary" onClick={() => start("deviceCode")} data-testid="sign-in-code">
            Sign in with a code
          </Button>
          <Button onClick={() => start("browser")} data-testid="sign-in-browser">
            Sign in with the browser
          </Button>
        </div>
      </>
    );
  }

  return (
    <Card className={styles.card} data-testid="sign-in-panel" data-step={step.kind}>
      <CardHeader header={<Text weight="semibold">Sign in to {profileName}</Text>} />
      {body}
    </Card>
  );
}
