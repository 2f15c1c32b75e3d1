// The bench page: draws the Chart view's chart (lightweight-charts, the SMC
// overlay primitive, fill markers) on the candles and detections the bench
// script serves at ./data/, measures the time to the first painted frame,
// then pans the time scale every animation frame for ~2 s and counts frames.
// Results go to window.__bench for chart_bench.mjs, with the first render
// broken down: its synchronous steps, the wait for the first frame, and
// the overlay primitive's draws (counted and timed around its renderers).

import { CandlestickSeries, createChart, createSeriesMarkers, type Logical, type UTCTimestamp } from "lightweight-charts";
import { priceDecimals, toBars } from "../src/chart/candles";
import { chartOptions, seriesOptions } from "../src/chart/PriceChart";
import { chartColours } from "../src/chart/colours";
import { buildOverlays, countOverlays } from "../src/chart/overlays";
import { SmcOverlayPrimitive } from "../src/chart/primitive";
import type { IPrimitivePaneRenderer, IPrimitivePaneView } from "lightweight-charts";
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
  /** Finer figures of the first render: the candles' conversion, the markers' building, the synchronous part in all. */
  toBarsMs: number;
  markersMs: number;
  syncMs: number;
  /** From the end of the synchronous part to our first animation frame callback, which runs right after the chart's own paint in that frame. */
  frame1Ms: number;
  /** The overlay primitive's draws up to the first render: how many, and their time in all. */
  /** Attaching the overlay primitive and giving it the overlays (it indexes them), then the markers plugin. */
  attachMs: number;
  markersAttachMs: number;
  primitiveDraws: number;
  primitiveDrawMs: number;
  /** The primitive's draw time per panned frame (both its views), on average. */
  panDrawMs: number;
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
    /** Set once the first render is on screen (a profile of the first render stops there). */
    __firstRender?: boolean;
  }
}

/** The overlay primitive, timing each draw of its pane views. */
class TimedPrimitive extends SmcOverlayPrimitive {
  draws = 0;
  drawMs = 0;
  private timed: readonly IPrimitivePaneView[] | null = null;
  override paneViews(): readonly IPrimitivePaneView[] {
    this.timed ??= super.paneViews().map((view) => {
      const renderer = view.renderer();
      if (!renderer) return view;
      const timedRenderer: IPrimitivePaneRenderer = {
        draw: (target) => {
          const t = performance.now();
          renderer.draw(target);
          this.drawMs += performance.now() - t;
          this.draws += 1;
        },
      };
      return { zOrder: () => view.zOrder?.() ?? "normal", renderer: () => timedRenderer };
    });
    return this.timed;
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
  const toBarsMs = performance.now() - t0;
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
  const m0 = performance.now();
  const markers = bare ? [] : seriesMarkers(tradeMarks(fills, "BENCH"), bars, dur, colours.markers);
  // ?nomarkers / ?noprimitive: leave one part out, to see what each costs.
  const markersMs = performance.now() - m0;
  const params = new URLSearchParams(location.search);
  let primitive: TimedPrimitive | null = null;
  const a0 = performance.now();
  if (!bare && !params.has("noprimitive")) {
    primitive = new TimedPrimitive(colours);
    series.attachPrimitive(primitive);
    primitive.setOverlays(overlays);
  }
  const attachMs = performance.now() - a0;
  const k0 = performance.now();
  if (!bare && !params.has("nomarkers")) createSeriesMarkers<UTCTimestamp>(series, markers);
  const markersAttachMs = performance.now() - k0;
  // The chart paints in its animation frame; the frame after that has it on screen.
  const syncMs = performance.now() - t0;
  await nextFrame();
  const frame1Ms = performance.now() - t0 - syncMs;
  await nextFrame();
  const firstRenderMs = performance.now() - t0;
  const primitiveDraws = primitive?.draws ?? 0;
  const primitiveDrawMs = primitive?.drawMs ?? 0;
  window.__firstRender = true;

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
  const panDrawMs = primitive ? (primitive.drawMs - primitiveDrawMs) / Math.max(1, times.length) : 0;
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
    toBarsMs: round(toBarsMs),
    markersMs: round(markersMs),
    syncMs: round(syncMs),
    frame1Ms: round(frame1Ms),
    attachMs: round(attachMs),
    markersAttachMs: round(markersAttachMs),
    primitiveDraws,
    primitiveDrawMs: round(primitiveDrawMs),
    panDrawMs: Math.round(panDrawMs * 100) / 100,
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
