// The UI's entry: it takes the first screen's reads (handed over by the shell with the
// page's first script, else asked over IPC) and asks for the start page's chunk before
// it loads the app, so both are in by the time React renders (BENCHMARKS.md, desktop
// app startup). Its own imports are tiny for that reason: no React, no Fluent.
import { sendFirstReads } from "./shell/firstReads";
import { loadStartPage } from "./shell/pageModules";

const first = sendFirstReads();
const page = loadStartPage(first.page);
const { startApp } = await import("./startApp");
await startApp(first, page);
