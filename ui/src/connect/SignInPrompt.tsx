import { useState } from "react";
import { Button, Spinner, Text, makeStyles, tokens } from "@fluentui/react-components";
import { Copy20Regular, Checkmark20Regular, Open20Regular } from "@fluentui/react-icons";
import { openSignInPage, type SignInEvent } from "../ipc";
import { copyText } from "../lib/clipboard";
import { ErrorNote } from "../components/ErrorNote";

const useStyles = makeStyles({
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

/**
 * A sign-in in progress, as the maker follows it: a spinner until the engine says
 * what to do, then the device code large with a copy button (to enter on the page
 * in any browser) or the browser page to finish on; the page can be opened again
 * and the sign-in cancelled. The Deploy page's sign-in panel and "Sign in to Power
 * Platform" both show it.
 */
export function SignInPrompt({
  event,
  startingLabel,
  onCancel,
}: {
  /** What the engine asked for (null: not yet). */
  event: SignInEvent | null;
  startingLabel: string;
  onCancel: () => void;
}) {
  const styles = useStyles();
  const [copied, setCopied] = useState(false);
  const [openError, setOpenError] = useState<unknown>(null);

  const openPage = () => {
    setOpenError(null);
    openSignInPage().catch((e: unknown) => setOpenError(e));
  };
  const cancelButton = (
    <Button onClick={onCancel} data-testid="cancel-sign-in">
      Cancel
    </Button>
  );
  const openButton = (
    <Button icon={<Open20Regular />} onClick={openPage} data-testid="open-sign-in-page">
      Open the sign-in page
    </Button>
  );
  const waiting = <Spinner size="tiny" labelPosition="after" label="Ferry continues by itself once you have signed in." />;

  let body;
  if (event == null) {
    body = (
      <>
        <Spinner size="small" labelPosition="after" label={startingLabel} />
        <div className={styles.actions}>{cancelButton}</div>
      </>
    );
  } else if (event.kind === "deviceCode") {
    const code = event.userCode;
    body = (
      <>
        <Text>
          {/* Plain text, not a link: the window never navigates to remote content. */}
          Open <Text weight="semibold">{event.verificationUri}</Text> in a browser and enter this code:
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
          {cancelButton}
        </div>
        {waiting}
      </>
    );
  } else {
    body = (
      <>
        <Text>Finish signing in in your browser. If no page opened, open it from here:</Text>
        <Text size={200} className={styles.muted} data-testid="sign-in-url">
          {event.url}
        </Text>
        <div className={styles.actions}>
          {openButton}
          {cancelButton}
        </div>
        {waiting}
      </>
    );
  }
  return (
    <>
      {body}
      {openError != null && <ErrorNote title="Could not open the sign-in page" error={openError} testId="open-page-error" />}
    </>
  );
}
