import { MessageBar, MessageBarBody, MessageBarTitle } from "@fluentui/react-components";

/** The offline banner's message (a chunk of its own: it shows after the first screen, if at all). */
export function OfflineMessage() {
  return (
    <MessageBar intent="warning" layout="multiline" data-testid="offline-banner" style={{ marginBottom: 16 }}>
      <MessageBarBody>
        <MessageBarTitle>The pipelines host is not answering</MessageBarTitle>
        History and run details still open from this computer. Ferry reconnects by itself when the
        host is back; check your network or VPN if it stays away.
      </MessageBarBody>
    </MessageBar>
  );
}
