// The runs this window already follows — a deployment the wizard started follows its run to
// the end — and their events so far. A run's page shows those instead of following the same
// run a second time: on a real tenant every read of a run counts against the maker's request
// limit, and the deployment's own follower knows when each phase began.
import type { RunEvent, RunOutcome } from "../ipc";

type Listener = (event: RunEvent) => void;

interface Live {
  events: RunEvent[];
  listeners: Set<Listener>;
  done: Promise<RunOutcome>;
}

const live = new Map<string, Live>();

/**
 * Follows `runId` through `start`, which gets the function its events go to; the run is
 * live for {@link joinLive} until the promise `start` returns settles (which this returns).
 */
export function followLive(runId: string, start: (onEvent: Listener) => Promise<RunOutcome>): Promise<RunOutcome> {
  const listeners = new Set<Listener>();
  const events: RunEvent[] = [];
  const onEvent = (event: RunEvent) => {
    events.push(event);
    for (const listener of listeners) listener(event);
  };
  const entry: Live = { events, listeners, done: Promise.resolve(undefined as unknown as RunOutcome) };
  live.set(runId, entry);
  const forget = () => {
    if (live.get(runId) === entry) live.delete(runId);
  };
  entry.done = start(onEvent).then(
    (outcome) => {
      forget();
      return outcome;
    },
    (error: unknown) => {
      forget();
      throw error;
    },
  );
  return entry.done;
}

/**
 * Listens to a run this window follows already: its events so far at once, then each new
 * one. Null when nothing here follows it. `leave` stops listening (the following goes on).
 */
export function joinLive(runId: string, listener: Listener): { done: Promise<RunOutcome>; leave: () => void } | null {
  const entry = live.get(runId);
  if (!entry) return null;
  for (const event of entry.events) listener(event);
  entry.listeners.add(listener);
  return { done: entry.done, leave: () => void entry.listeners.delete(listener) };
}
