// Candle open times to bar positions: overlays are placed by bar index
// (lightweight-charts' logical index), so drawing needs no time lookups.
// barIndexOf looks one time up; barLocator answers many lookups over the
// same candles in constant time each (the overlays' 25k events).

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

/** Slots of the lookup table per bar at most (longer gaps fall back to the binary search). */
const MAX_SLOTS_PER_BAR = 4;

/**
 * `barIndexOf(times, dur, ·)` for many lookups: when every open time lies on
 * the `dur` grid from the first one (the API's candles do), a table with one
 * slot per `dur` from the first to the last open gives the bar holding a
 * time, or the next bar in a gap, in one step. Other series, or gaps so long
 * the table would be much larger than the series, use the binary search.
 */
export function barLocator(times: readonly number[], dur: number): (t: number) => number {
  const n = times.length;
  const first = times[0] ?? 0;
  const last = times[n - 1] ?? 0;
  const slots = n > 0 && dur > 0 ? (last - first) / dur + 1 : 0;
  if (n === 0 || !Number.isInteger(slots) || slots > n * MAX_SLOTS_PER_BAR) return (t) => barIndexOf(times, dur, t);
  for (let i = 1; i < n; i++) {
    const open = times[i] as number;
    if (open <= (times[i - 1] as number) || (open - first) % dur !== 0) return (t) => barIndexOf(times, dur, t);
  }
  // next[s]: the first bar opening at or after first + s * dur.
  const next = new Int32Array(slots);
  let bar = 0;
  for (let s = 0; s < slots; s++) {
    while ((times[bar] as number) < first + s * dur) bar++;
    next[s] = bar;
  }
  return (t) => {
    if (t < first) return -Math.ceil((first - t) / dur);
    if (t >= last) return n - 1 + Math.floor((t - last) / dur);
    return next[Math.floor((t - first) / dur)] ?? barIndexOf(times, dur, t);
  };
}
