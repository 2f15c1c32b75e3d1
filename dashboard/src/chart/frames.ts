// Reading the `candles`, `detections` and `fills` stream frames: checks
// just enough of each `data` to use it safely; anything else is ignored.

import type { ApiCandle, ApiFill, CandleFrame, DetectionFrame, FillFrame, SmcEvent } from "./types";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

function isCandle(v: unknown): v is ApiCandle {
  return isObject(v) && typeof v.open_time === "number" && typeof v.close === "string" && typeof v.high === "string";
}

export function candleFrame(data: unknown): CandleFrame | null {
  if (!isObject(data) || typeof data.session !== "string" || !isObject(data.event)) return null;
  const e = data.event;
  if (e.type !== "candle" || typeof e.symbol !== "string" || typeof e.timeframe !== "string" || !isCandle(e.candle)) {
    return null;
  }
  return data as unknown as CandleFrame;
}

function isEvent(v: unknown): v is SmcEvent {
  return (
    isObject(v) &&
    typeof v.kind === "string" &&
    typeof v.event === "string" &&
    typeof v.id === "number" &&
    typeof v.time === "number" &&
    typeof v.known_at === "number" &&
    typeof v.timeframe === "string"
  );
}

export function detectionFrame(data: unknown): DetectionFrame | null {
  if (!isObject(data) || typeof data.session !== "string" || typeof data.symbol !== "string") return null;
  return isEvent(data.event) ? (data as unknown as DetectionFrame) : null;
}

function isFill(v: unknown): v is ApiFill {
  return (
    isObject(v) &&
    typeof v.instrument === "string" &&
    (v.side === "buy" || v.side === "sell") &&
    typeof v.price === "string" &&
    typeof v.time === "number"
  );
}

/** A `fills` frame's fill, with its session. */
export function fillFrame(data: unknown): ApiFill | null {
  if (!isObject(data) || typeof data.session !== "string" || !isFill(data.event)) return null;
  const frame = data as unknown as FillFrame;
  return { ...frame.event, session: frame.session };
}
