// What the Symbol and Timeframe selectors offer: the symbols the server's
// sessions trade, and the timeframes at least as long as the session's own
// candles (GET /candles refuses finer ones).

import { TIMEFRAMES, timeframeMs } from "./timeIndex";
import type { SessionSummary } from "./types";

/** The symbols of every session, newest session first, without repeats; `fallback` when none. */
export function symbolChoices(sessions: readonly SessionSummary[], fallback: string): string[] {
  const out: string[] = [];
  const sorted = [...sessions].sort((a, b) => (b.started_at ?? 0) - (a.started_at ?? 0));
  for (const s of sorted) {
    for (const sym of s.request.symbols) {
      const up = sym.toUpperCase();
      if (!out.includes(up)) out.push(up);
    }
  }
  if (out.length === 0) out.push(fallback.toUpperCase());
  return out;
}

/** The shortest timeframe a session trading `symbol` runs on, if any says. */
export function baseTimeframe(sessions: readonly SessionSummary[], symbol: string): string | null {
  const want = symbol.toUpperCase();
  const sorted = sessions
    .filter((s) => s.state !== "ready" && s.request.symbols.some((x) => x.toUpperCase() === want))
    .sort((a, b) => (b.started_at ?? 0) - (a.started_at ?? 0));
  const frames = sorted[0]?.request.timeframes ?? [];
  const known = frames.map((f) => timeframeMs(f)).filter((ms): ms is number => ms !== null);
  if (known.length === 0) return null;
  const least = Math.min(...known);
  return TIMEFRAMES.find((t) => t.ms === least)?.name ?? null;
}

/** Timeframes with whether the API allows them for a session on `base`. */
export function timeframeChoices(base: string | null): { name: string; allowed: boolean }[] {
  const floor = base ? (timeframeMs(base) ?? 0) : 0;
  return TIMEFRAMES.map((t) => ({ name: t.name, allowed: t.ms >= floor }));
}
