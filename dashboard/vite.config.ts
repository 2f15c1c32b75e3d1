// Vite builds the dashboard into dist/, which `smc serve` embeds at compile
// time and serves at `/`. In development, `npm run dev` proxies the API to a
// running `smc serve` (SMC_API, default http://127.0.0.1:8080).
import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

const api = process.env.SMC_API ?? "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    sourcemap: false,
    chunkSizeWarningLimit: 900,
    rollupOptions: {
      output: {
        // The chart library loads only with the views that draw charts.
        manualChunks(id: string) {
          if (id.includes("node_modules/lightweight-charts") || id.includes("node_modules/fancy-canvas")) {
            return "charts";
          }
          return undefined;
        },
      },
    },
  },
  server: {
    proxy: {
      "/api": { target: api, ws: true, changeOrigin: false },
      "/healthz": { target: api },
      "/readyz": { target: api },
    },
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
