// The JSON shapes the Chart view reads, as smc serve sends them:
// GET /candles (smc_model::Candle), GET /detections and the `detections`
// topic (smc_analysis::SmcEvent), GET /trades and the `fills` topic
// (smc_model::Fill), and the `candles` topic (smc_runtime::CandleClosed).

import type { Fill } from "../api/types";

/** One candle of GET /api/v1/candles: prices as decimal strings, open_time in epoch ms. */
export interface ApiCandle {
  open_time: number;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
}

export type SmcKind =
  | "swing_high"
  | "swing_low"
  | "bos"
  | "choch"
  | "ob"
  | "breaker_block"
  | "fvg"
  | "inverse_fvg"
  | "liquidity"
  | "sweep"
  | "premium_discount";

export type Lifecycle = "formed" | "mitigated" | "broken" | "swept" | "invalidated" | "expired";

/** One detection event (GET /api/v1/detections items; the `event` of a `detections` frame). */
export interface SmcEvent {
  timeframe: string;
  kind: SmcKind | string;
  event: Lifecycle | string;
  /** 1 bullish / high side, -1 bearish / low side. */
  direction: number;
  /** Open time (ms) of the candle the event refers to. */
  time: number;
  /** Close (ms) of the last candle the event uses. */
  known_at: number;
  top?: number;
  bottom?: number;
  level?: number;
  /** Identifies the object across its lifecycle (with `kind`). */
  id: number;
  /** Open time of the candle the object originates from, when it differs from `time`. */
  origin_time?: number;
  scope?: "internal" | "swing";
}

/** A fill (GET /api/v1/trades items carry `session` too; `fills` frames carry `type: "fill"`). */
export type ApiFill = Fill;

/** `data` of a `candles` frame. */
export interface CandleFrame {
  session: string;
  event: { type: "candle"; symbol: string; timeframe: string; candle: ApiCandle; candle_to_order_us: number | null };
}

/** `data` of a `detections` frame. */
export interface DetectionFrame {
  session: string;
  symbol: string;
  event: SmcEvent;
}

/** `data` of a `fills` frame. */
export interface FillFrame {
  session: string;
  event: ApiFill & { type: "fill" };
}

/** The part of GET /api/v1/sessions items the chart uses. */
export interface SessionSummary {
  id: string;
  state: "ready" | "running" | "stopped" | "failed" | string;
  started_at: number | null;
  request: { symbols: string[]; timeframes: string[] };
}
