// Chart bench (npm run bench): the Chart view's chart with 10,000 candles
// and their SMC overlays in Debian's headless Chromium. Measures the time to
// the first painted frame (target < 200 ms) and the frames per second while
// the time scale pans every animation frame for ~2 s (target 60). Prints a
// table and the JSON; asserts nothing.
//
// Data: the first 10,000 candles of testdata/market/fxcm/GBPUSD-1m.csv (real
// 1m data), their detections from `smc detect` (target/release/smc, or
// SMC_BIN), and generated fills every 100 bars for the markers.
// Options: --input FILE.csv --candles N --runs N --chromium PATH --query nomarkers|noprimitive
// --profile FILE (a CPU profile of run 1 up to its first render, and its top functions).

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";
import { chromium } from "playwright-core";

const here = fileURLToPath(new URL(".", import.meta.url));
const repo = join(here, "..", "..");
const arg = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 && process.argv[at + 1] ? process.argv[at + 1] : fallback;
};
const input = arg("input", join(repo, "testdata/market/fxcm/GBPUSD-1m.csv"));
const count = Number(arg("candles", "10000"));
const runs = Number(arg("runs", "3"));
const executablePath = arg("chromium", "/usr/bin/chromium");
// Extra query for the page (e.g. nomarkers, noprimitive), for digging.
const query = arg("query", "");
// --profile FILE: a CPU profile (.cpuprofile, for DevTools) of run 1, built unminified, and its top functions by self time.
const profile = arg("profile", "");
const smc = process.env.SMC_BIN ?? join(repo, "target/release/smc");

// 1. The data: candles as GET /candles gives them, detections as GET /detections.
const rows = readFileSync(input, "utf8").trim().split("\n");
const header = rows[0];
const body = rows.slice(1, count + 1);
const work = mkdtempSync(join(tmpdir(), "chart-bench-"));
const csv = join(work, "candles.csv");
writeFileSync(csv, [header, ...body].join("\n") + "\n");
const candles = body.map((line) => {
  const [t, open, high, low, close, volume] = line.split(",");
  return { open_time: Number(t), open, high, low, close, volume };
});
if (!existsSync(smc)) throw new Error(`${smc} not found: build smc or set SMC_BIN`);
const detections = execFileSync(smc, ["detect", "--input", csv, "--log-level", "warn"], { maxBuffer: 1 << 30 })
  .toString()
  .split("\n")
  .filter((l) => l.trim() !== "")
  .map((l) => JSON.parse(l));
const fills = candles
  .filter((_, i) => i % 100 === 50)
  .map((c, k) => ({
    client_id: `bench-${c.open_time}-0`,
    instrument: "bench:BENCH",
    trade_id: `b${k}`,
    side: k % 2 === 0 ? "buy" : "sell",
    price: c.close,
    qty: "1",
    fee: "0",
    liquidity: "taker",
    time: c.open_time,
    session: "bench",
  }));
const data = {
  "/data/candles.json": JSON.stringify(candles),
  "/data/detections.json": JSON.stringify(detections),
  "/data/fills.json": JSON.stringify(fills),
};

// 2. The page, built like the dashboard (production build).
await build({ configFile: join(here, "vite.config.ts"), build: profile ? { minify: false } : {} });
const dist = join(here, "dist");
const types = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".json": "application/json" };
const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
  if (data[path]) {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(data[path]);
    return;
  }
  const file = normalize(join(dist, path === "/" ? "index.html" : path));
  if (!file.startsWith(dist) || !existsSync(file)) {
    res.writeHead(404);
    res.end();
    return;
  }
  res.writeHead(200, { "Content-Type": types[extname(file)] ?? "application/octet-stream" });
  res.end(readFileSync(file));
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const url = `http://127.0.0.1:${server.address().port}/`;

// 3. Headless Chromium, a fresh page per run.
const browser = await chromium.launch({
  executablePath,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const results = [];
try {
  // The runs with overlays, then one of the candles alone for comparison.
  for (let i = 0; i <= runs; i++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const cdp = profile && i === 0 ? await page.context().newCDPSession(page) : null;
    if (cdp) {
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
      await cdp.send("Profiler.start");
    }
    await page.goto(i < runs ? `${url}?${query}` : `${url}?bare`);
    if (cdp) {
      await page.waitForFunction(() => window.__firstRender === true, null, { timeout: 60_000, polling: 5 });
      writeProfile((await cdp.send("Profiler.stop")).profile);
    }
    await page.waitForFunction(() => window.__bench !== undefined, null, { timeout: 60_000 });
    const r = await page.evaluate(() => window.__bench);
    if (r.error) throw new Error(r.error);
    if (i === 0) await page.screenshot({ path: join(work, "bench.png") });
    results.push(r);
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}

/** Writes the profile to --profile and prints its top functions by self time (from the page load to its first render). */
function writeProfile(p) {
  writeFileSync(profile, JSON.stringify(p));
  const self = new Map();
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  p.samples.forEach((id, k) => {
    const n = byId.get(id);
    const f = n.callFrame;
    const name = `${f.functionName || "(anonymous)"} ${f.url.split("/").pop()}:${f.lineNumber + 1}`;
    self.set(name, (self.get(name) ?? 0) + (p.timeDeltas[k] ?? 0) / 1000);
  });
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 30);
  console.log(`profile of run 1 (${profile}), self ms from the page load to the first render:`);
  for (const [name, ms] of top) console.log(`${ms.toFixed(1).padStart(8)}  ${name}`);
  console.log("");
}

// 4. Figures.
const version = execFileSync(executablePath, ["--version"]).toString().trim();
const first = results[0];
console.log(`chart bench · ${version} · ${first.candles} candles of ${input.replace(repo + "/", "")} · ${first.events} detection events · ${first.markers} markers`);
console.log(`overlays: ${Object.entries(first.overlays).map(([k, v]) => `${k} ${v}`).join(", ")}`);
console.log("");
const cols = ["run", "overlays", "firstRenderMs", "syncMs", "toBarsMs", "buildOverlaysMs", "createMs", "setDataMs", "markersMs", "attachMs", "markersAttachMs", "frame1Ms", "primitiveDraws", "primitiveDrawMs", "panDrawMs", "panFps", "panFrames", "p95FrameMs", "worstFrameMs", "framesOver20ms"];
console.log(cols.map((c) => c.padStart(c.length + 2)).join(""));
const cell = (r, k, c) => (c === "run" ? k + 1 : c === "overlays" ? (r.bare ? "none" : "all") : r[c]);
results.forEach((r, k) => console.log(cols.map((c) => String(cell(r, k, c)).padStart(c.length + 2)).join("")));
console.log("");
console.log("targets: first render < 200 ms, panning 60 fps");
console.log(`screenshot of run 1: ${join(work, "bench.png")}`);
console.log(JSON.stringify({ chromium: version, input, runs: results }, null, 2));
