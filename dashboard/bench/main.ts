// The bench page: draws the Chart view's chart (lightweight-charts, the SMC
// overlay primitive, fill markers) on the candles and detections the bench
// script serves at ./data/, measures the time to the first painted frame,
// then pans the time scale every animation frame for ~2 s and counts frames.
// Results go to window.__bench for chart_bench.mjs.

import { CandlestickSeries, createChart, createSeriesMarkers, type Logical, type UTCTimestamp } from "lightweight-charts";
import { priceDecimals, toBars } from "../src/chart/candles";
import { chartOptions, seriesOptions } from "../src/chart/PriceChart";
import { chartColours } from "../src/chart/colours";
import { buildOverlays, countOverlays } from "../src/chart/overlays";
import { SmcOverlayPrimitive } from "../src/chart/primitive";
import { seriesMarkers, tradeMarks } from "../src/chart/trades";
import type { ApiCandle, ApiFill, SmcEvent } from "../src/chart/types";

interface Result {
  bare: boolean;
  candles: number;
  events: number;
  overlays: Record<string, number>;
  markers: number;
  buildOverlaysMs: number;
  createMs: number;
  setDataMs: number;
  firstRenderMs: number;
  panSeconds: number;
  panFrames: number;
  panFps: number;
  worstFrameMs: number;
  p95FrameMs: number;
  framesOver20ms: number;
}

declare global {
  interface Window {
    __bench?: Result | { error: string };
  }
}

const nextFrame = () => new Promise<number>((resolve) => requestAnimationFrame(resolve));

async function load<T>(path: string): Promise<T> {
  const r = await fetch(path);
  if (!r.ok) throw new Error(`${path}: ${r.status}`);
  return (await r.json()) as T;
}

async function run(): Promise<Result> {
  const [candles, events, fills] = await Promise.all([
    load<ApiCandle[]>("./data/candles.json"),
    load<SmcEvent[]>("./data/detections.json"),
    load<ApiFill[]>("./data/fills.json"),
  ]);
  const dur = candles.length > 1 ? (candles[1] as ApiCandle).open_time - (candles[0] as ApiCandle).open_time : 60_000;
  const element = document.getElementById("chart") as HTMLElement;
  const colours = chartColours({ palette: { mode: "dark", background: { paper: "#161b22" }, text: { primary: "#e6edf3" } } });
  await nextFrame();

  // Time to first render: from the API's JSON to the first painted frame.
  const t0 = performance.now();
  const bars = toBars(candles);
  const b0 = performance.now();
  // ?bare: the candles alone, to tell the overlays' cost from the library's.
  const bare = new URLSearchParams(location.search).has("bare");
  const overlays = bare ? buildOverlays([], [], dur) : buildOverlays(events, bars.map((b) => b.openMs), dur);
  const buildOverlaysMs = performance.now() - b0;
  const c0 = performance.now();
  const chart = createChart(element, { autoSize: true, ...chartOptions(colours, true) });
  const series = chart.addSeries(CandlestickSeries, seriesOptions(colours, priceDecimals(candles)));
  const createMs = performance.now() - c0;
  const s0 = performance.now();
  series.setData(bars);
  const setDataMs = performance.now() - s0;
  const markers = bare ? [] : seriesMarkers(tradeMarks(fills, "BENCH"), bars, dur, colours.markers);
  // ?nomarkers / ?noprimitive: leave one part out, to see what each costs.
  const params = new URLSearchParams(location.search);
  if (!bare && !params.has("noprimitive")) {
    const primitive = new SmcOverlayPrimitive(colours);
    series.attachPrimitive(primitive);
    primitive.setOverlays(overlays);
  }
  if (!bare && !params.has("nomarkers")) createSeriesMarkers<UTCTimestamp>(series, markers);
  // The chart paints in its animation frame; the frame after that has it on screen.
  await nextFrame();
  await nextFrame();
  const firstRenderMs = performance.now() - t0;

  // Panning: shift the visible range by a few bars every frame for ~2 s.
  const ts = chart.timeScale();
  const start = ts.getVisibleLogicalRange();
  const width = start ? start.to - start.from : 150;
  let from = bars.length - width;
  const times: number[] = [];
  const p0 = await nextFrame();
  let last = p0;
  let now = p0;
  while (now - p0 < 2000) {
    from -= 3;
    if (from < 0) from = bars.length - width;
    ts.setVisibleLogicalRange({ from: from as Logical, to: (from + width) as Logical });
    now = await nextFrame();
    times.push(now - last);
    last = now;
  }
  const panSeconds = (now - p0) / 1000;
  const sorted = [...times].sort((a, b) => a - b);
  const counts = countOverlays(overlays);
  return {
    bare,
    candles: bars.length,
    events: events.length,
    overlays: { ...counts },
    markers: markers.length,
    buildOverlaysMs: round(buildOverlaysMs),
    createMs: round(createMs),
    setDataMs: round(setDataMs),
    firstRenderMs: round(firstRenderMs),
    panSeconds: round(panSeconds),
    panFrames: times.length,
    panFps: round(times.length / panSeconds),
    worstFrameMs: round(sorted[sorted.length - 1] ?? 0),
    p95FrameMs: round(sorted[Math.floor(sorted.length * 0.95)] ?? 0),
    framesOver20ms: times.filter((t) => t > 20).length,
  };
}

const round = (x: number) => Math.round(x * 10) / 10;

run().then(
  (r) => (window.__bench = r),
  (e: unknown) => (window.__bench = { error: String(e) }),
);
