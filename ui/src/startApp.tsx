// The app itself, loaded by the entry (main.tsx) once the first reads are out.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { QueryClientProvider } from "@tanstack/react-query";
import { App } from "./App";
import "./global.css";
import { newQueryClient } from "./query/client";
import type { FirstReads } from "./shell/firstReads";
import { prefetchStart } from "./shell/prefetch";

export async function startApp(first: FirstReads): Promise<void> {
  const queryClient = newQueryClient();
  // The first render waits briefly for the first reads (shell/prefetch.ts).
  await prefetchStart(queryClient, first);
  createRoot(document.getElementById("root")!).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <App />
      </QueryClientProvider>
    </StrictMode>,
  );
}
