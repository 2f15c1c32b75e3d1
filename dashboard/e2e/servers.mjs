// The real servers the suite drives: `smc venue-sim` replaying bundled
// Binance minutes and `smc serve` (its own database, config and sessions
// folder in a temporary directory), both on free loopback ports, both
// stopped at the end. Each prints its address once it listens; we wait
// for that line rather than sleeping.

import { spawn } from "node:child_process";
import { createWriteStream, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ADMIN_PASSWORD = "e2e admin password 1";

/** The repository root (this file is dashboard/e2e/servers.mjs). */
export const ROOT = resolve(import.meta.dirname, "..", "..");

/** The smc binary: $SMC, else target/release/smc. */
export const SMC = resolve(process.env.SMC ?? join(ROOT, "target/release/smc"));

/** The config smc serve runs with: a quick sma_cross on BTCUSDT minutes. */
function configText(dir) {
  return [
    "backtest:",
    "  strategy: sma_cross",
    '  timeframes: ["1m"]',
    "  instrument:",
    "    venue: binance",
    "    symbol: BTCUSDT",
    "    tick_size: 0.1",
    "    lot_size: 0.001",
    "    min_qty: 0.001",
    "    min_notional: 5",
    "risk_manager:",
    "  max_position_size: 1000.0",
    "  max_daily_loss: 5000.0",
    "api:",
    `  data_dir: ${JSON.stringify(join(ROOT, "testdata/market"))}`,
    `  sessions_dir: ${JSON.stringify(join(dir, "sessions"))}`,
    "",
  ].join("\n");
}

/** A child process whose output is logged to `logPath`; resolves with the first match of `pattern`. */
function launch(name, args, { env, logPath, pattern, timeoutMs = 30_000 }) {
  const child = spawn(SMC, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const log = createWriteStream(logPath, { flags: "a" });
  const ready = new Promise((resolvePromise, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`${name} did not start in ${timeoutMs} ms (log: ${logPath})`)), timeoutMs);
    const watch = (chunk) => {
      log.write(chunk);
      if (seen === null) return;
      seen += chunk.toString();
      const match = seen.match(pattern);
      if (match) {
        seen = null;
        clearTimeout(timer);
        resolvePromise(match);
      }
    };
    child.stdout.on("data", watch);
    child.stderr.on("data", watch);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before it listened; log: ${logPath}`));
    });
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
  return { child, ready, log };
}

/** Stops a child with SIGTERM, then SIGKILL after `graceMs`. */
export async function stopChild(child, graceMs = 5_000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

/** The venue simulator: `addr` is HOST:PORT for a session's venue URL. */
export async function startVenueSim(dir, { speed }) {
  const market = join(ROOT, "testdata/market/binance-usdm/BTCUSDT-1m.csv");
  const args = ["venue-sim", "--port", "0", "--market", market, "--symbol", "BTCUSDT", "--speed", String(speed)];
  const { child, ready } = launch("smc venue-sim", args, {
    logPath: join(dir, "venue-sim.log"),
    pattern: /listening on http:\/\/(127\.0\.0\.1:\d+)/,
  });
  const match = await ready.catch(async (e) => {
    await stopChild(child);
    throw e;
  });
  return { child, addr: match[1], stop: () => stopChild(child) };
}

/** smc serve on `listen` (127.0.0.1:0 picks a port); `base` is its http:// origin. */
export async function startServe(dir, listen = "127.0.0.1:0") {
  const config = join(dir, "config.yaml");
  writeFileSync(config, configText(dir));
  const args = ["serve", "--config", config, "--listen", listen, "--db", `sqlite://${join(dir, "smc.db")}`];
  const { child, ready } = launch("smc serve", args, {
    env: { SMC_ADMIN_PASSWORD: ADMIN_PASSWORD, NO_COLOR: "1" },
    logPath: join(dir, "serve.log"),
    pattern: /listening on (http:\/\/127\.0\.0\.1:(\d+))/,
  });
  const match = await ready.catch(async (e) => {
    await stopChild(child);
    throw e;
  });
  return { child, base: match[1], listen: `127.0.0.1:${match[2]}`, stop: () => stopChild(child) };
}

/** A fresh temporary folder for one run. */
export function tempDir() {
  return mkdtempSync(join(tmpdir(), "smc-e2e-"));
}

/** A free loopback port (bound then released). */
export async function freePort() {
  const { createServer } = await import("node:net");
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * For working on views before smc is rebuilt: `vite preview` serving the
 * dashboard built in `distDir` (E2E_DIST) and proxying /api, the stream
 * included, to smc serve at `apiBase`. `base` is its origin.
 */
export async function startPreview(dir, distDir, apiBase) {
  const port = await freePort();
  const vite = join(ROOT, "dashboard/node_modules/vite/bin/vite.js");
  const config = join(ROOT, "dashboard/e2e/preview.config.mjs");
  const args = [vite, "preview", "--config", config, "--outDir", resolve(distDir), "--host", "127.0.0.1", "--port", String(port), "--strictPort", "--bypass-lock"];
  const child = spawn(process.execPath, args, {
    cwd: join(ROOT, "dashboard"),
    env: { ...process.env, SMC_API: apiBase, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const log = createWriteStream(join(dir, "preview.log"));
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`vite preview exited (${child.exitCode}); log in ${dir}/preview.log`);
    const up = await fetch(`${base}/`).then((r) => r.ok, () => false);
    if (up) break;
    if (Date.now() > deadline) {
      await stopChild(child);
      throw new Error("vite preview did not answer in 20 s");
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, base, stop: () => stopChild(child) };
}
