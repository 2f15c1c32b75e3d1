// Equity and drawdown points for the charts: the job's sampled equity
// curve when the server gives one, else a stepped curve from the closed
// trades (starting cash plus each exit's P&L), labelled as such.
// Floats here are for drawing only.

import type { Job } from "./types";

export interface Point {
  /** Epoch seconds (the chart's time unit). */
  time: number;
  value: number;
}

export interface Curve {
  equity: Point[];
  /** Percent below the running peak (0 or negative). */
  drawdown: Point[];
  /** True when derived from trades rather than the bar-by-bar curve. */
  stepped: boolean;
}

/** Points with strictly increasing seconds (a later value wins a shared second). */
function unique(points: Point[]): Point[] {
  const out: Point[] = [];
  for (const p of [...points].sort((a, b) => a.time - b.time)) {
    const last = out[out.length - 1];
    if (last && last.time === p.time) last.value = p.value;
    else out.push({ ...p });
  }
  return out;
}

export function drawdownOf(equity: Point[]): Point[] {
  let peak = -Infinity;
  return equity.map(({ time, value }) => {
    peak = Math.max(peak, value);
    return { time, value: peak > 0 ? (value / peak - 1) * 100 : 0 };
  });
}

export function curveOf(job: Job): Curve | null {
  if (job.equity && job.equity.length > 0) {
    const equity = unique(job.equity.map((s) => ({ time: Math.floor(s.time / 1000), value: Number(s.equity) })));
    return { equity, drawdown: drawdownOf(equity), stepped: false };
  }
  const result = job.result;
  const trades = result?.trades ?? [];
  const start = Number(result?.starting_cash ?? NaN);
  if (!Number.isFinite(start) || trades.length === 0) return null;
  const sorted = [...trades].sort((a, b) => a.exit_time - b.exit_time);
  let value = start;
  const first = sorted[0];
  const points: Point[] = first ? [{ time: Math.floor(first.entry_time / 1000) - 1, value: start }] : [];
  for (const t of sorted) {
    value += Number(t.pnl);
    points.push({ time: Math.floor(t.exit_time / 1000), value });
  }
  const equity = unique(points);
  return { equity, drawdown: drawdownOf(equity), stepped: true };
}
