// The Chart view's data: a REST snapshot (sessions, candles, detections,
// trades) loaded for the chosen symbol and timeframe and again on every
// (re)connect of the stream, then the `candles`, `detections` and `fills`
// topics applied on top, batched to one state change per animation frame.

import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, api, describe } from "../api/client";
import { useOnConnected, useTopic } from "../live/LiveContext";
import { mergeCandle, priceDecimals, toBars, type Bar } from "./candles";
import { candleFrame, detectionFrame, fillFrame } from "./frames";
import { timeframeMs } from "./timeIndex";
import type { ApiCandle, ApiFill, SessionSummary, SmcEvent } from "./types";

export type MarketStatus = "loading" | "ready" | "empty" | "error";

export interface MarketData {
  status: MarketStatus;
  /** Why the chart is empty or what failed. */
  message: string | null;
  sessions: SessionSummary[];
  /** The session whose candles are shown (as the server picks it), if known. */
  session: string | null;
  bars: Bar[];
  /** Decimals the candles' prices are quoted with. */
  decimals: number;
  events: SmcEvent[];
  fills: ApiFill[];
}

const INITIAL: MarketData = { status: "loading", message: null, sessions: [], session: null, bars: [], decimals: 2, events: [], fills: [] };

/** The server's choice for GET /candles: the latest started session trading `symbol`. */
export function sessionFor(sessions: readonly SessionSummary[], symbol: string): string | null {
  const want = symbol.toUpperCase();
  const trading = sessions
    .filter((s) => s.state !== "ready" && s.request.symbols.some((x) => x.toUpperCase() === want))
    .sort((a, b) => (b.started_at ?? 0) - (a.started_at ?? 0));
  return trading[0]?.id ?? null;
}

interface Pending {
  /** Whether a candle came in a finer timeframe than the chart's. */
  finer: boolean;
  candles: ApiCandle[];
  events: SmcEvent[];
  fills: ApiFill[];
}

const frame = (f: () => void): void => {
  if (typeof globalThis.requestAnimationFrame === "function") globalThis.requestAnimationFrame(f);
  else setTimeout(f, 16);
};

export function useMarketData(symbol: string, timeframe: string, limit: number): MarketData {
  const [data, setData] = useState<MarketData>(INITIAL);
  const dur = timeframeMs(timeframe) ?? 60_000;
  const loading = useRef<AbortController | null>(null);
  const pending = useRef<Pending>({ finer: false, candles: [], events: [], fills: [] });
  const scheduled = useRef(false);
  const current = useRef(data);
  current.current = data;
  const reloadTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const load = useCallback(async () => {
    loading.current?.abort();
    const controller = new AbortController();
    loading.current = controller;
    const signal = controller.signal;
    const query = `symbol=${encodeURIComponent(symbol)}&timeframe=${encodeURIComponent(timeframe)}`;
    const [sessions, candles, events, fills] = await Promise.allSettled([
      api<SessionSummary[]>("/sessions", { signal }),
      api<ApiCandle[]>(`/candles?${query}&limit=${limit}`, { signal }),
      api<SmcEvent[]>(`/detections?${query}`, { signal }),
      api<(ApiFill & { session: string })[]>("/trades", { signal }),
    ]);
    if (signal.aborted) return;
    loading.current = null;
    const list = sessions.status === "fulfilled" ? sessions.value : [];
    const base = { ...INITIAL, sessions: list, session: sessionFor(list, symbol) };
    if (candles.status === "rejected") {
      const e = candles.reason;
      const none = e instanceof ApiError && e.status === 404;
      const d: MarketData = { ...base, status: none ? "empty" : "error", message: none ? null : describe(e) };
      current.current = d;
      setData(d);
    } else {
      const d: MarketData = {
        ...base,
        status: candles.value.length === 0 ? "empty" : "ready",
        bars: toBars(candles.value),
        decimals: priceDecimals(candles.value),
        events: events.status === "fulfilled" ? events.value : [],
        fills: fills.status === "fulfilled" ? fills.value : [],
        message: events.status === "rejected" ? `Detections: ${describe(events.reason)}` : null,
      };
      current.current = d;
      setData(d);
    }
    // Frames that arrived meanwhile go on top of the snapshot.
    flush();
  }, [symbol, timeframe, limit]);

  const reloadSoon = useCallback(() => {
    if (reloadTimer.current) clearTimeout(reloadTimer.current);
    reloadTimer.current = setTimeout(() => {
      reloadTimer.current = null;
      void load();
    }, 400);
  }, [load]);

  function flush(): void {
    scheduled.current = false;
    if (loading.current) return;
    const p = pending.current;
    if (p.candles.length + p.events.length + p.fills.length === 0) return;
    pending.current = { finer: false, candles: [], events: [], fills: [] };
    const state = current.current;
    if (state.status === "empty") {
      // The first candles of a session that just started: take a snapshot.
      if (p.candles.length > 0) void load();
      return;
    }
    if (state.status === "error") return;
    let bars = state.bars;
    let newBucket = false;
    for (const c of p.candles) {
      const merged = mergeCandle(bars, c, dur);
      bars = merged.bars;
      if (merged.merge === "appended" && bars.length > 1) newBucket = true;
    }
    const next: MarketData = {
      ...state,
      bars,
      events: p.events.length ? [...state.events, ...p.events] : state.events,
      fills: p.fills.length ? [...state.fills, ...p.fills] : state.fills,
    };
    current.current = next;
    setData(next);
    // The stream detects on the session's own timeframe only: a coarser
    // chart reloads its detections when one of its bars has closed.
    if (newBucket && p.finer) reloadSoon();
  }

  const schedule = () => {
    if (scheduled.current) return;
    scheduled.current = true;
    frame(flush);
  };

  const mine = (session: string) => current.current.session === null || current.current.session === session;

  useTopic("candles", (raw) => {
    const f = candleFrame(raw);
    if (!f || f.event.symbol.toUpperCase() !== symbol.toUpperCase() || !mine(f.session)) return;
    if (f.event.timeframe !== timeframe) pending.current.finer = true;
    pending.current.candles.push(f.event.candle);
    schedule();
  });
  useTopic("detections", (raw) => {
    const f = detectionFrame(raw);
    if (!f || f.symbol.toUpperCase() !== symbol.toUpperCase() || f.event.timeframe !== timeframe || !mine(f.session)) {
      return;
    }
    pending.current.events.push(f.event);
    schedule();
  });
  useTopic("fills", (raw) => {
    const fill = fillFrame(raw);
    if (!fill) return;
    pending.current.fills.push(fill);
    schedule();
  });

  useOnConnected(() => void load());
  useEffect(() => {
    setData((d) => ({ ...INITIAL, sessions: d.sessions }));
    pending.current = { finer: false, candles: [], events: [], fills: [] };
    void load();
    return () => {
      loading.current?.abort();
      if (reloadTimer.current) clearTimeout(reloadTimer.current);
    };
  }, [load]);

  return data;
}
