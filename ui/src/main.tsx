// The UI's entry: it sends the first screen's reads, then loads the app. Its own
// imports are tiny (shell/firstReads.ts), so the cache answers while WebKit loads
// and runs the app's script instead of after it (BENCHMARKS.md, desktop app startup).
import { sendFirstReads } from "./shell/firstReads";

const first = sendFirstReads();
const { startApp } = await import("./startApp");
await startApp(first);
