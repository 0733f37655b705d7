// The UI's entry: it sends the first screen's reads, paints the first screen the last
// start kept as soon as they are answered, then loads the app. Its own imports are
// tiny (shell/firstReads.ts, shell/firstScreen.ts, history/rowView.ts), so the cache
// answers and the screen shows while WebKit loads and runs the app's script instead
// of after it (BENCHMARKS.md, desktop app startup).
import { sendFirstReads } from "./shell/firstReads";
import { paintWhenRead } from "./shell/firstScreen";
import { firstDataMoment } from "./shell/start";
import { currentScheme } from "./scheme";

firstDataMoment();
const first = sendFirstReads();
void paintWhenRead(document.getElementById("root")!, first.page, currentScheme(), first);
const { startApp } = await import("./startApp");
await startApp(first);
