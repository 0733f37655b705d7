import { useEffect, useRef, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { Button, Card, CardHeader, Spinner, Text, makeStyles, tokens } from "@fluentui/react-components";
import { Copy20Regular, Checkmark20Regular, Open20Regular } from "@fluentui/react-icons";
import { cancelOperation, newOperationId, openSignInPage, signIn, type SignInEvent, type SignInMethod } from "../ipc";
import { copyText } from "../clipboard";
import { ErrorNote } from "./ErrorNote";

const useStyles = makeStyles({
  card: { maxWidth: "640px", padding: tokens.spacingVerticalL },
  code: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeHero800,
    lineHeight: tokens.lineHeightHero800,
    letterSpacing: "0.15em",
  },
  row: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalL, flexWrap: "wrap" },
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
  const [copied, setCopied] = useState(false);
  const [openError, setOpenError] = useState<unknown>(null);
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
    setCopied(false);
    setOpenError(null);
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

  const openPage = () => {
    setOpenError(null);
    openSignInPage().catch((e: unknown) => setOpenError(e));
  };

  const cancelButton = (opId: string) => (
    <Button onClick={() => cancel(opId)} data-testid="cancel-sign-in">
      Cancel
    </Button>
  );
  const openButton = (
    <Button icon={<Open20Regular />} onClick={openPage} data-testid="open-sign-in-page">
      Open the sign-in page
    </Button>
  );

  let body;
  if (step.kind === "starting") {
    body = (
      <>
        <Spinner
          size="small"
          labelPosition="after"
          label={step.method === "deviceCode" ? "Asking the host for a sign-in code…" : "Opening the sign-in page in your browser…"}
        />
        <div className={styles.actions}>{cancelButton(step.opId)}</div>
      </>
    );
  } else if (step.kind === "prompted" && step.event.kind === "deviceCode") {
    const code = step.event.userCode;
    body = (
      <>
        <Text>
          {/* Plain text, not a link: the window never navigates to remote content. */}
          Open <Text weight="semibold">{step.event.verificationUri}</Text> in a browser and enter this code:
        </Text>
        <div className={styles.row}>
          <span className={styles.code} data-testid="device-code" aria-label={`Code ${code.split("").join(" ")}`}>
            {code}
          </span>
          <Button
            icon={copied ? <Checkmark20Regular /> : <Copy20Regular />}
            onClick={() => copyText(code).then(() => setCopied(true))}
            data-testid="copy-code"
          >
            {copied ? "Copied" : "Copy code"}
          </Button>
        </div>
        <div className={styles.actions}>
          {openButton}
          {cancelButton(step.opId)}
        </div>
        <Spinner size="tiny" labelPosition="after" label="Ferry continues by itself once you have signed in." />
      </>
    );
  } else if (step.kind === "prompted" && step.event.kind === "browser") {
    body = (
      <>
        <Text>Finish signing in in your browser. If no page opened, open it from here:</Text>
        <Text size={200} className={styles.muted} data-testid="sign-in-url">
          {step.event.url}
        </Text>
        <div className={styles.actions}>
          {openButton}
          {cancelButton(step.opId)}
        </div>
        <Spinner size="tiny" labelPosition="after" label="Ferry continues by itself once you have signed in." />
      </>
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
      {openError != null && <ErrorNote title="Could not open the sign-in page" error={openError} testId="open-page-error" />}
    </Card>
  );
}
