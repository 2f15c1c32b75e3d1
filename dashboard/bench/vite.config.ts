// Builds the chart bench page (bench/index.html + main.ts) into bench/dist,
// apart from the dashboard's own build. Used by chart_bench.mjs.
import { defineConfig } from "vite";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root,
  base: "./",
  logLevel: "warn",
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false },
});
