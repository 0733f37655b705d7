// The app itself, loaded by the entry (main.tsx) once the first reads are out.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { QueryClientProvider } from "@tanstack/react-query";
import { App } from "./App";
import "./global.css";
import { newQueryClient } from "./query/client";
import type { FirstReads } from "./shell/firstReads";
import { prefetchStart } from "./shell/prefetch";

/** Renders the app once the first reads are in (or a moment passed) and the start page's module is here. */
export async function startApp(first: FirstReads, startPage: Promise<unknown>): Promise<void> {
  const queryClient = newQueryClient();
  // The first render waits briefly for the first reads (shell/prefetch.ts), and for the
  // start page's chunk, so its first commit is the page, not a spinner.
  await Promise.all([prefetchStart(queryClient, first), startPage]);
  createRoot(document.getElementById("root")!).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <App />
      </QueryClientProvider>
    </StrictMode>,
  );
}
