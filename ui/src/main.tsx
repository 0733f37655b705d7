import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { QueryClientProvider } from "@tanstack/react-query";
import { App } from "./App";
import "./global.css";
import { newQueryClient } from "./query/client";
import { prefetchStart } from "./shell/prefetch";
import { startPage } from "./shell/start";

const queryClient = newQueryClient();
// The first reads go out now; the first render waits for them briefly (shell/prefetch.ts).
await prefetchStart(queryClient, startPage());

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
