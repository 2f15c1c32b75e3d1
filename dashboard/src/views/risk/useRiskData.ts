// The Risk view's data: GET /risk and GET /pnl, loaded on mount and on
// every reconnect; breaker events apply at once, equity marks (positions
// topic) fold into the P&L rows (today's loss, drawdown from the peak), and
// risk decisions or position changes reload /risk (at most once a second)
// for the refusals, exposure and VaR the server computes. No timer polling.

import { useEffect, useRef } from "react";
import { useTopic } from "../../live/LiveContext";
import { applyPnlEvent } from "../trading/live";
import { sessionFrame, type PnlRow } from "../trading/types";
import { useLiveResource } from "../trading/useLiveResource";
import { applyBreakerEvent } from "./breakers";
import type { RiskAnswer } from "./types";

/** Calls `run` now, or once at the end of the window if one ran within `ms`. */
function useThrottle(run: () => void, ms: number): () => void {
  const last = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const latest = useRef(run);
  latest.current = run;
  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);
  return useRef(() => {
    const wait = last.current + ms - Date.now();
    if (wait <= 0) {
      last.current = Date.now();
      latest.current();
    } else if (!timer.current) {
      timer.current = setTimeout(() => {
        timer.current = null;
        last.current = Date.now();
        latest.current();
      }, wait);
    }
  }).current;
}

export function useRiskData() {
  const risk = useLiveResource<RiskAnswer>("/risk");
  const pnl = useLiveResource<PnlRow[]>("/pnl");
  const reload = useThrottle(risk.reload, 1_000);
  useTopic("risk", (data) => {
    const frame = sessionFrame(data);
    if (!frame) return;
    risk.set((r) => r && applyBreakerEvent(r, frame));
    reload();
  });
  useTopic("positions", (data) => {
    const frame = sessionFrame(data);
    if (!frame) return;
    pnl.set((rows) => rows && applyPnlEvent(rows, frame));
    if (frame.event.type === "position_changed") reload();
  });
  return { risk, pnl };
}
