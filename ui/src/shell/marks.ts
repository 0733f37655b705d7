// Startup marks for scripts/bench-app.sh: with FERRY_BENCH_READY=1 the page notes when
// named moments of its start first happen (the kept first screen painted, React's
// first render and commit, each command's first call and answer), and the startup
// report carries them so BENCHMARKS.md can say where the time goes. Without the flag
// nothing is noted.
// It imports nothing that imports the IPC module, which notes its calls here.
import { startOptions } from "./startOptions";

const marks: [string, number][] = [];
const seen = new Set<string>();

/** Notes `name` at `Date.now()` the first time it happens, when benchmarking. */
export function mark(name: string): void {
  if (seen.has(name) || startOptions().bench !== true) return;
  seen.add(name);
  marks.push([name, Date.now()]);
}

/** The marks so far, as `name=ms` pairs (ms since `since`) joined by commas. */
export function marksSince(since: number): string {
  return marks.map(([name, at]) => `${name}=${at - since}`).join(",");
}
