import { MessageBar, MessageBarBody, MessageBarTitle } from "@fluentui/react-components";
import { useOffline } from "./useStatus";

/** Shown while the host does not answer; everything from the cache keeps working. */
export function OfflineBanner() {
  const offline = useOffline();
  if (!offline) return null;
  return (
    <MessageBar
      intent="warning"
      layout="multiline"
      data-testid="offline-banner"
      style={{ marginBottom: 16 }}
    >
      <MessageBarBody>
        <MessageBarTitle>The pipelines host is not answering</MessageBarTitle>
        History and run details still open from this computer. Ferry reconnects by itself when the
        host is back; check your network or VPN if it stays away.
      </MessageBarBody>
    </MessageBar>
  );
}
