import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";
import { createHash } from "node:crypto";
import type { Plugin } from "vite";

// The entry (src/main.tsx) sends the first reads and then imports the app
// (src/startApp.tsx). Vite preloads only an entry's static imports from the page;
// this also preloads the app's chunks, so WebKit fetches and parses them while the
// entry runs instead of after it. And it names the build in a `ferry-build` meta tag
// (a hash of every file the first screen loads, whose names hash their content): a
// kept first screen is painted only by the build that drew it (src/shell/firstScreen.ts).
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
        const entry = chunks.filter((c) => c.type === "chunk" && c.isEntry).map((c) => c.fileName);
        const build = createHash("sha256")
          .update([...entry, ...files, ...css].sort().join("\n"))
          .digest("hex")
          .slice(0, 16);
        return [
          { tag: "meta", attrs: { name: "ferry-build", content: build }, injectTo: "head" as const },
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
