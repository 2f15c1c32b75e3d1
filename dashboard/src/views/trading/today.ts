// Today's P&L over the sessions that marked their equity: the exact sum
// of their `today_pnl` (by each session's candle clock, UTC day) when the
// server sends it; from a server without it, P&L since start stands in
// only when every session started today (by this machine's clock).

import { sum } from "./decimal";
import { startOfTodayUtc } from "./show";
import type { PnlRow } from "./types";

export interface TodaysPnl {
  value: string | null;
  /** What the figure means, in words. */
  note: string;
}

/** Today's P&L over the marked sessions, and what it means. */
export function todaysPnl(marked: PnlRow[], started: Map<string, number | null>, now?: number): TodaysPnl {
  if (marked.length === 0) return { value: null, note: "no session has marked its equity yet" };
  if (marked.every((p) => p.today_pnl !== undefined)) {
    return { value: sum(marked.map((p) => p.today_pnl)), note: "since each session's UTC day began, by its candles' clock" };
  }
  const today = startOfTodayUtc(now);
  if (marked.some((p) => (started.get(p.session) ?? 0) < today)) {
    return { value: null, note: "sessions running since before today: see P&L since start (this server sends no start-of-day equity)" };
  }
  return { value: sum(marked.map((p) => p.pnl)), note: "since the sessions started today" };
}
