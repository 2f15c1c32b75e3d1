// The Trading view's data: sessions, open orders, positions, recent fills
// and P&L from their REST snapshots, kept current by the orders, fills,
// positions and system topics.

import { useTopic } from "../../live/LiveContext";
import { applyFillEvent, applyOrderEvent, applyPnlEvent, applyPositionEvent } from "./live";
import { sessionFrame, type FillRow, type OpenOrderRow, type PnlRow, type PositionRow, type SessionInfo } from "./types";
import { useLiveResource } from "./useLiveResource";

interface SnapshotSession {
  id: string;
  state: SessionInfo["state"];
  connected: boolean;
}

/** The `system` topic's periodic snapshot's sessions, if `data` is one. */
function snapshotSessions(data: unknown): SnapshotSession[] | null {
  if (!data || typeof data !== "object") return null;
  const d = data as Record<string, unknown>;
  if (d.type !== "snapshot" || !Array.isArray(d.sessions)) return null;
  return d.sessions.filter((s): s is SnapshotSession => !!s && typeof (s as SnapshotSession).id === "string");
}

export function useTradingData() {
  const sessions = useLiveResource<SessionInfo[]>("/sessions");
  const orders = useLiveResource<OpenOrderRow[]>("/orders");
  const positions = useLiveResource<PositionRow[]>("/positions");
  const fills = useLiveResource<FillRow[]>("/trades");
  const pnl = useLiveResource<PnlRow[]>("/pnl");

  useTopic("orders", (data) => {
    const frame = sessionFrame(data);
    if (frame) orders.set((rows) => rows && applyOrderEvent(rows, frame));
  });
  useTopic("fills", (data) => {
    const frame = sessionFrame(data);
    if (!frame) return;
    orders.set((rows) => rows && applyOrderEvent(rows, frame));
    fills.set((rows) => rows && applyFillEvent(rows, frame));
  });
  useTopic("positions", (data) => {
    const frame = sessionFrame(data);
    if (!frame) return;
    positions.set((rows) => rows && applyPositionEvent(rows, frame));
    pnl.set((rows) => rows && applyPnlEvent(rows, frame));
  });
  useTopic("system", (data) => {
    const frame = sessionFrame(data);
    if (frame && (frame.event.type === "started" || frame.event.type === "stopped")) {
      sessions.reload();
      return;
    }
    const snapshot = snapshotSessions(data);
    if (!snapshot) return;
    const known = new Set((sessions.data ?? []).map((s) => s.id));
    if (snapshot.some((s) => !known.has(s.id))) {
      sessions.reload();
      return;
    }
    sessions.set((rows) =>
      rows &&
      rows.map((row) => {
        const now = snapshot.find((s) => s.id === row.id);
        return now && (now.state !== row.state || now.connected !== row.connected)
          ? { ...row, state: now.state, connected: now.connected }
          : row;
      }),
    );
  });

  return { sessions, orders, positions, fills, pnl };
}

export type TradingData = ReturnType<typeof useTradingData>;
