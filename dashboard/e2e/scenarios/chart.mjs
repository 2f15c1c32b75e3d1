// Scenario 3: the Chart view. On a fresh server (no session yet) the chart
// is drawn empty with a note saying what to start. Once the paper session
// has candles, it draws them with overlays whose counts (the view's
// data-testid="overlay-counts" line) are those of GET /detections for the
// same symbol and timeframe: order blocks, FVGs, structure breaks
// (BOS/CHoCH) and liquidity pools, counted here from the raw events.

import { PASSWORD } from "../api.mjs";
import { openView, signIn } from "../browser.mjs";
import { check, same, until } from "../runner.mjs";
import { SYMBOL } from "./trading.mjs";

const TIMEFRAME = "1m";

/** `{name: number}` from the view's line `order blocks: 3 · FVGs: 5 · …`. */
export function parseCounts(line) {
  const counts = {};
  for (const part of line.split("·")) {
    const match = part.trim().match(/^(.+?):\s*(\d+)$/);
    if (match) counts[match[1].trim()] = Number(match[2]);
  }
  return counts;
}

/** The same counts from GET /detections events: each object once, each structure break once. */
export function countEvents(events) {
  const formed = (kind) => new Set(events.filter((e) => e.kind === kind && e.event === "formed").map((e) => e.id)).size;
  const breaks = new Set(events.filter((e) => e.kind === "bos" || e.kind === "choch").map((e) => `${e.kind}:${e.id}:${e.event}`));
  return { "order blocks": formed("ob"), FVGs: formed("fvg"), structure: breaks.size, liquidity: formed("liquidity") };
}

const pick = (counts) => ({
  "order blocks": counts["order blocks"],
  FVGs: counts.FVGs,
  structure: counts.structure,
  liquidity: counts.liquidity,
});

/** The number of candles the chart says it draws (its accessible label ends `: N candles`). */
async function candlesDrawn(chart) {
  const label = (await chart.getAttribute("aria-label")) ?? "";
  const match = label.match(/(\d+) candles/);
  check(match, `the chart's label gives its candle count (${label})`);
  return Number(match[1]);
}

/** The chart has drawn onto a canvas of real size. */
async function checkDrawn(chart) {
  const canvas = chart.locator("canvas").first();
  await canvas.waitFor();
  const box = await canvas.boundingBox();
  check(box && box.width > 200 && box.height > 100, `the chart's canvas has a size (${JSON.stringify(box)})`);
}

export const chartEmpty = {
  name: "chart: drawn empty with a note on a server with no session yet",
  timeoutMs: 60_000,
  async run(ctx) {
    check(!ctx.state.session, "runs before any session is started");
    const { page } = await ctx.open();
    await signIn(page, ctx.accounts.users.trader, PASSWORD, "/trading");
    await openView(page, "Chart");
    const note = page.getByText(/No candles yet.*start a paper session/i);
    await note.waitFor();
    const chart = page.getByTestId("price-chart");
    await checkDrawn(chart);
    same(await candlesDrawn(chart), 0, "candles drawn on a fresh server");
    const counts = parseCounts(await page.getByTestId("overlay-counts").innerText());
    same(pick(counts), { "order blocks": 0, FVGs: 0, structure: 0, liquidity: 0 }, "overlays on a fresh server");
  },
};

export const chartOverlays = {
  name: "chart: the session's candles with overlays counted as GET /detections gives them",
  timeoutMs: 90_000,
  async run(ctx) {
    check(ctx.state.session, "needs the paper session of the trading scenario");
    const token = ctx.state.token;
    const query = `symbol=${SYMBOL}&timeframe=${TIMEFRAME}`;
    // Wait until the detector has found each kind at least once.
    await until(
      "detections of every kind",
      async () => {
        const c = countEvents(await ctx.api.ok("GET", `/detections?${query}`, { token }));
        return c["order blocks"] > 0 && c.FVGs > 0 && c.structure > 0;
      },
      { timeoutMs: 60_000, everyMs: 500 },
    );

    const { page } = await ctx.open();
    await signIn(page, ctx.accounts.users.trader, PASSWORD, "/trading");
    await openView(page, "Chart");
    await page.getByRole("heading", { name: `Chart · ${SYMBOL} · ${TIMEFRAME}` }).waitFor();
    const chart = page.getByTestId("price-chart");
    await until("candles drawn", async () => (await candlesDrawn(chart)) > 0);
    await checkDrawn(chart);
    check((await page.getByText(/No candles yet/).count()) === 0, "no empty-chart note once there are candles");

    // The session runs on: compare when the view's counts hold still around the API read.
    const line = page.getByTestId("overlay-counts");
    let last = null;
    await until(
      "the view's overlay counts to match GET /detections",
      async () => {
        const before = pick(parseCounts(await line.innerText()));
        const api = countEvents(await ctx.api.ok("GET", `/detections?${query}`, { token }));
        const after = pick(parseCounts(await line.innerText()));
        last = { view: after, api };
        return JSON.stringify(before) === JSON.stringify(after) && JSON.stringify(after) === JSON.stringify(api);
      },
      { timeoutMs: 20_000, everyMs: 250 },
    ).catch((e) => {
      throw new Error(`${e.message}; last read ${JSON.stringify(last)}`);
    });
    check(last.view["order blocks"] > 0 && last.view.FVGs > 0, `overlays drawn: ${JSON.stringify(last.view)}`);
    const candles = await ctx.api.ok("GET", `/candles?${query}&limit=1000`, { token });
    const drawn = await candlesDrawn(chart);
    check(Math.abs(drawn - candles.length) <= 2, `the chart draws the session's candles (${drawn} vs ${candles.length})`);
  },
};
