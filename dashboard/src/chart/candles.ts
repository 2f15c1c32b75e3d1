// Candles for the chart: the API's decimal strings become numbers (for
// drawing only), and live candles of the session's own timeframe are
// merged into the shown series, folded into the current bar when the
// chart shows a coarser timeframe.

import type { UTCTimestamp } from "lightweight-charts";
import type { ApiCandle } from "./types";

/** A bar as the candlestick series takes it, plus its open time in ms. */
export interface Bar {
  time: UTCTimestamp;
  openMs: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Open time of the latest candle folded into this bar. */
  throughMs: number;
}

export function toBar(c: ApiCandle, openMs: number = c.open_time): Bar {
  return {
    time: Math.floor(openMs / 1000) as UTCTimestamp,
    openMs,
    open: Number(c.open),
    high: Number(c.high),
    low: Number(c.low),
    close: Number(c.close),
    throughMs: c.open_time,
  };
}

export function toBars(candles: readonly ApiCandle[]): Bar[] {
  return candles.map((c) => toBar(c));
}

/** What merging a live candle did: nothing, replaced the last bar, or appended one. */
export type Merge = "none" | "updated" | "appended";

/**
 * Merges a closed candle (of a timeframe at most `dur` ms) into `bars`,
 * returning the new series and what changed. Candles older than the last
 * bar's period are ignored (the snapshot already has them).
 */
export function mergeCandle(bars: readonly Bar[], c: ApiCandle, dur: number): { bars: Bar[]; merge: Merge } {
  const bucket = Math.floor(c.open_time / dur) * dur;
  const lastBar = bars[bars.length - 1];
  if (lastBar && bucket < lastBar.openMs) return { bars: bars as Bar[], merge: "none" };
  if (lastBar && bucket === lastBar.openMs) {
    // A candle the bar already holds (sent again around a reload) changes nothing.
    if (c.open_time <= lastBar.throughMs) return { bars: bars as Bar[], merge: "none" };
    const fresh = toBar(c, bucket);
    const merged: Bar = {
      ...lastBar,
      high: Math.max(lastBar.high, fresh.high),
      low: Math.min(lastBar.low, fresh.low),
      close: fresh.close,
      throughMs: c.open_time,
    };
    return { bars: [...bars.slice(0, -1), merged], merge: "updated" };
  }
  return { bars: [...bars, toBar(c, bucket)], merge: "appended" };
}

/** Decimals the prices are quoted with (the most among the first candles' strings), 2 to 10. */
export function priceDecimals(candles: readonly ApiCandle[]): number {
  let most = 2;
  for (const c of candles.slice(0, 200)) {
    for (const v of [c.open, c.high, c.low, c.close]) {
      const dot = v.indexOf(".");
      if (dot >= 0) most = Math.max(most, v.length - dot - 1);
    }
  }
  return Math.min(most, 10);
}
