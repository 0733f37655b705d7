import { useEffect, useState } from "react";
import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle } from "@fluentui/react-components";
import { connectionLinks, readConnection, type ConnectionOffer } from "../ipc";
import { ErrorNote } from "../components/ErrorNote";
import { PowerPlatformSignIn } from "./PowerPlatformSignIn";

type Arrived = { kind: "offer"; offer: ConnectionOffer; key: number } | { kind: "error"; error: unknown; key: number };

/**
 * A `ferry://` link or connection file Ferry was started with (or a later launch
 * forwarded): what it holds, confirmed in a dialog before anything is created, then
 * the same sign-in and environment picker as "Sign in to Power Platform".
 */
export function LaunchedConnection({ onConnected }: { onConnected: () => void }) {
  const [arrived, setArrived] = useState<Arrived | null>(null);
  useEffect(() => {
    let live = true;
    let count = 0;
    const onLink = (link: string) => {
      count += 1;
      const key = count;
      readConnection(link, "browser").then(
        (offer) => live && setArrived({ kind: "offer", offer, key }),
        (error: unknown) => live && setArrived({ kind: "error", error, key }),
      );
    };
    try {
      void connectionLinks(onLink).catch(() => undefined);
    } catch {
      // No engine behind this page (a test without IPC): nothing arrives.
    }
    return () => {
      live = false;
    };
  }, []);
  const close = () => setArrived(null);
  return (
    <Dialog open={arrived != null} onOpenChange={(_, d) => !d.open && close()} modalType="modal">
      <DialogSurface aria-label="A connection for Ferry" data-testid="launched-connection" style={{ maxWidth: "780px" }}>
        <DialogBody>
          <DialogTitle>{arrived?.kind === "error" ? "Ferry cannot use this connection" : "A connection for Ferry"}</DialogTitle>
          <DialogContent>
            {arrived?.kind === "offer" && (
              <PowerPlatformSignIn
                key={arrived.key}
                offer={arrived.offer}
                onDone={() => {
                  close();
                  onConnected();
                }}
                onCancel={close}
              />
            )}
            {arrived?.kind === "error" && <ErrorNote title="This link or file is not a connection Ferry can use" error={arrived.error} />}
          </DialogContent>
          {arrived?.kind === "error" && (
            <DialogActions>
              <Button appearance="primary" onClick={close}>
                Close
              </Button>
            </DialogActions>
          )}
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
