import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";
import type { Plugin } from "vite";

// The entry (src/main.tsx) sends the first reads and then imports the app
// (src/startApp.tsx). Vite preloads only an entry's static imports from the page;
// this also preloads the app's chunks, so WebKit fetches and parses them while the
// entry runs instead of after it.
function preloadApp(): Plugin {
  return {
    name: "ferry-preload-app",
    apply: "build",
    transformIndexHtml: {
      order: "post",
      handler(html, ctx) {
        const bundle = ctx.bundle;
        const chunks = Object.values(bundle ?? {});
        // Other pages built with this config (the bench's floor) have no app to preload.
        const holds = (c: (typeof chunks)[number], path: string) => c.type === "chunk" && c.moduleIds.some((id) => id.endsWith(path));
        if (!bundle || !chunks.some((c) => holds(c, "/src/main.tsx"))) return;
        const app = chunks.find((c) => holds(c, "/src/startApp.tsx"));
        if (!app || app.type !== "chunk") throw new Error("ferry-preload-app: no chunk for src/startApp.tsx");
        const files = new Set<string>();
        const visit = (name: string) => {
          const chunk = bundle[name];
          if (!chunk || chunk.type !== "chunk" || files.has(name)) return;
          files.add(name);
          chunk.imports.forEach(visit);
        };
        visit(app.fileName);
        const css = [...files].flatMap((name) => {
          const chunk = bundle[name];
          return chunk.type === "chunk" ? [...(chunk.viteMetadata?.importedCss ?? [])] : [];
        });
        const fresh = (file: string) => !html.includes(`/${file}"`);
        return [
          ...[...files].filter(fresh).map((file) => ({
            tag: "link",
            attrs: { rel: "modulepreload", crossorigin: true, href: `/${file}` },
            injectTo: "head" as const,
          })),
          ...css.filter(fresh).map((file) => ({ tag: "link", attrs: { rel: "stylesheet", crossorigin: true, href: `/${file}` }, injectTo: "head" as const })),
        ];
      },
    },
  };
}

// The Tauri window loads ui/dist (embedded into the binary) in real builds and
// this dev server in `tauri dev`. A fixed port keeps tauri.conf.json's devUrl true.
export default defineConfig({
  plugins: [react(), preloadApp()],
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: { target: "es2022", chunkSizeWarningLimit: 2000 },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test-setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    // Room for the five-second findBy/waitFor of test-setup.ts to report first.
    testTimeout: 15000,
  },
});
