import { useState } from "react";
import { Button, Card, CardHeader, Text, makeStyles, tokens } from "@fluentui/react-components";
import { Copy20Regular, Checkmark20Regular } from "@fluentui/react-icons";
import { copyText } from "../clipboard";

const useStyles = makeStyles({
  card: { maxWidth: "640px", padding: tokens.spacingVerticalL },
  code: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeHero800,
    lineHeight: tokens.lineHeightHero800,
    letterSpacing: "0.15em",
  },
  row: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalL, flexWrap: "wrap" },
});

/** A device-code sign-in in progress: the code to type and where to type it. */
export interface DeviceCode {
  userCode: string;
  verificationUri: string;
}

/**
 * Signing in to a profile's host. With a device code, shows it large with a copy
 * button; until the engine offers sign-in, says how to give Ferry a token.
 */
export function SignInPanel({
  profileName,
  problem,
  deviceCode,
}: {
  profileName: string;
  problem?: string | null;
  deviceCode?: DeviceCode;
}) {
  const styles = useStyles();
  const [copied, setCopied] = useState(false);
  return (
    <Card className={styles.card} data-testid="sign-in-panel">
      <CardHeader header={<Text weight="semibold">Sign in to {profileName}</Text>} />
      {deviceCode ? (
        <>
          <Text>
            {/* Plain text, not a link: the window never navigates to remote content. */}
            Open <Text weight="semibold">{deviceCode.verificationUri}</Text> in your browser and enter this code:
          </Text>
          <div className={styles.row}>
            <span className={styles.code} data-testid="device-code" aria-label={`Code ${deviceCode.userCode.split("").join(" ")}`}>
              {deviceCode.userCode}
            </span>
            <Button
              icon={copied ? <Checkmark20Regular /> : <Copy20Regular />}
              onClick={() => copyText(deviceCode.userCode).then(() => setCopied(true))}
            >
              {copied ? "Copied" : "Copy code"}
            </Button>
          </div>
          <Text size={200}>Ferry continues by itself once you have signed in.</Text>
        </>
      ) : (
        <>
          {problem && <Text>{problem}</Text>}
          <Text size={200}>
            Sign-in from this window is on its way. Until then, start Ferry with a bearer token for the host in the
            FERRY_TOKEN environment variable, or use the Local sandbox.
          </Text>
        </>
      )}
    </Card>
  );
}
