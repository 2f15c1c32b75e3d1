// The shapes of the trading endpoints (GET /sessions, /orders, /positions,
// /trades, /pnl, POST /orders) and of the stream frames that change them
// (`{session, event}` on the orders, fills, positions and system topics).

import type { Fill } from "../../api/types";

export type SessionState = "ready" | "running" | "stopping" | "stopped" | "failed";

export interface SessionRequest {
  mode: "paper" | "live";
  strategy: string | null;
  symbols: string[];
  timeframes: string[];
  venue_urls: Record<string, string> | null;
  market: string | null;
  confirm_live: boolean;
  max_bars: number | null;
}

export interface SessionInfo {
  id: string;
  state: SessionState;
  mode: "paper" | "live";
  request: SessionRequest;
  error: string | null;
  started_at: number | null;
  connected: boolean;
  equity: string | null;
  orders_sent: number;
}

/** How an order executes (the engine's OrderKind). */
export interface OrderKind {
  type: "market" | "limit" | "stop_market" | "stop_limit" | "take_profit";
  price?: string;
  trigger?: string;
}

export interface OrderRequest {
  client_id: string;
  instrument: string;
  side: "buy" | "sell";
  qty: string;
  kind: OrderKind;
  time_in_force: string;
  reduce_only: boolean;
}

export interface OpenOrderRow {
  session: string;
  order: OrderRequest;
  status: "submitted" | "accepted" | "cancel_requested";
  filled_qty: string;
  /** The strategy's setup behind the order (`fvg_retest:1h`); null or absent when none was named. */
  setup?: string | null;
}

export interface PositionRow {
  session: string;
  instrument: string;
  qty: string;
  avg_price: string;
  realized_pnl: string;
  time: number;
}

/** A fill of a session (GET /api/v1/trades). */
export interface FillRow extends Fill {
  session: string;
}

export interface PnlRow {
  session: string;
  cash: string | null;
  equity: string | null;
  starting_equity: string | null;
  /** Equity less starting equity (since the session started). */
  pnl: string | null;
  realized_pnl: string;
  // From newer servers (absent on older ones), by the session's candle clock:
  /** Equity when the session's current UTC day began. */
  day_start_equity?: string | null;
  /** Equity less day_start_equity. */
  today_pnl?: string | null;
  /** The highest equity since the session started. */
  peak_equity?: string | null;
  /** How far equity is below its peak, as a fraction of the peak ("0.0123"). */
  drawdown?: string | null;
  /**
   * Client side only: the UTC day number (epoch ms / 86,400,000) of the last
   * equity mark folded in from the stream; absent in a REST snapshot.
   */
  marked_day?: number;
}

/** POST /orders' answer. */
export interface PlacedOrder {
  client_id: string;
  session: string;
  symbol: string;
  side: "buy" | "sell";
  type: "market" | "limit" | "stop";
  qty: string;
  price: string | null;
  stop_price: string | null;
  /** `approved` or `resized: <why>`. */
  risk: string;
}

/** A stream frame's data for a session's event. */
export interface SessionFrame {
  session: string;
  event: { type: string } & Record<string, unknown>;
}

/** Narrows a stream message to a session's event. */
export function sessionFrame(data: unknown): SessionFrame | null {
  if (!data || typeof data !== "object") return null;
  const { session, event } = data as Record<string, unknown>;
  if (typeof session !== "string" || !event || typeof event !== "object") return null;
  if (typeof (event as Record<string, unknown>).type !== "string") return null;
  return { session, event: event as SessionFrame["event"] };
}

/** `binance:BTCUSDT` → `BTCUSDT`. */
export function symbolOf(instrument: string): string {
  const i = instrument.indexOf(":");
  return i < 0 ? instrument : instrument.slice(i + 1);
}
