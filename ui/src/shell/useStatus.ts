// The host's status, read every few seconds: the frame shows the profile and
// account, and the offline banner appears when the host stops answering.
import { queryOptions, useQuery } from "@tanstack/react-query";
import { profiles, status } from "../ipc";
import { WELCOMED_KEY } from "./welcomed";

export const STATUS_KEY = ["status"] as const;
export const PROFILES_KEY = ["profiles"] as const;

/** How often the host is asked whether it is there. */
export const STATUS_INTERVAL_MS = 4000;

/** The profiles, the active one marked: the frame's first read. */
export const profilesQuery = queryOptions({ queryKey: PROFILES_KEY, queryFn: profiles });

export function useProfiles() {
  return useQuery(profilesQuery);
}

export { markWelcomed } from "./welcomed";

/**
 * Whether Ferry may connect: a profile is in use and the maker chose it here
 * once. A first start shows the welcome card instead (the Local sandbox is one click).
 */
export function useHasActiveProfile(): boolean | undefined {
  const list = useProfiles();
  // A query, so invalidating queries after markWelcomed re-renders the frame.
  const welcomed = useQuery({
    queryKey: ["welcomed"],
    queryFn: async () => window.localStorage.getItem(WELCOMED_KEY) === "1",
  });
  if (!list.data || welcomed.data === undefined) return undefined;
  return list.data.some((p) => p.active) && welcomed.data;
}

export function useStatus(enabled = true) {
  return useQuery({
    queryKey: STATUS_KEY,
    queryFn: status,
    enabled,
    refetchInterval: STATUS_INTERVAL_MS,
  });
}

/** True when the host is known to be unreachable. */
export function useOffline(): boolean {
  const hasProfile = useHasActiveProfile();
  const s = useStatus(hasProfile === true);
  return s.data ? !s.data.online && s.data.problemCode === "offline" : false;
}
