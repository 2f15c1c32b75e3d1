// The vite preview config of E2E_DIST runs: serves the given build and
// proxies to smc serve (SMC_API) every path smc serve answers itself: the
// API and its stream, the health probes and the metrics.

import { defineConfig } from "vite";

const target = process.env.SMC_API ?? "http://127.0.0.1:8080";
const proxy = Object.fromEntries(
  ["/api", "/healthz", "/readyz", "/metrics"].map((path) => [path, { target, ws: path === "/api", changeOrigin: false }]),
);

export default defineConfig({ preview: { proxy } });
