import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// The Tauri window loads ui/dist (embedded into the binary) in real builds and
// this dev server in `tauri dev`. A fixed port keeps tauri.conf.json's devUrl true.
export default defineConfig({
  plugins: [react()],
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: { target: "es2022", chunkSizeWarningLimit: 2000 },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test-setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
