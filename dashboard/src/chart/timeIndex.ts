// Candle open times to bar positions: overlays are placed by bar index
// (lightweight-charts' logical index), so drawing needs no time lookups.

/** Timeframes the chart offers, with their length in ms (as smc_model::Timeframe). */
export const TIMEFRAMES: readonly { name: string; ms: number }[] = [
  { name: "1m", ms: 60_000 },
  { name: "5m", ms: 300_000 },
  { name: "15m", ms: 900_000 },
  { name: "1h", ms: 3_600_000 },
  { name: "4h", ms: 14_400_000 },
  { name: "1d", ms: 86_400_000 },
];

export function timeframeMs(name: string): number | null {
  return TIMEFRAMES.find((t) => t.name === name)?.ms ?? null;
}

/**
 * The index of the bar holding time `t` (open times ascending, bars of
 * `dur` ms): exact opens give their bar; a time inside a bar gives that
 * bar; a time in a gap of the data gives the next bar; before the first or
 * after the last bar it extrapolates by whole bars (may be negative).
 */
export function barIndexOf(times: readonly number[], dur: number, t: number): number {
  const n = times.length;
  if (n === 0) return 0;
  const first = times[0] as number;
  const last = times[n - 1] as number;
  if (t < first) return -Math.ceil((first - t) / dur);
  if (t >= last) return n - 1 + Math.floor((t - last) / dur);
  // times[lo] <= t < times[hi]
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((times[mid] as number) <= t) lo = mid;
    else hi = mid;
  }
  return t < (times[lo] as number) + dur ? lo : hi;
}
