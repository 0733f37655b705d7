import { Suspense, lazy } from "react";
import { useOffline } from "./useStatus";

// Known only once the host's status is read, after the first screen: its script loads then.
const OfflineMessage = lazy(() => import("./OfflineMessage").then((m) => ({ default: m.OfflineMessage })));

/** Shown while the host does not answer; everything from the cache keeps working. */
export function OfflineBanner() {
  const offline = useOffline();
  if (!offline) return null;
  return (
    <Suspense fallback={null}>
      <OfflineMessage />
    </Suspense>
  );
}
