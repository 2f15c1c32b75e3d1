// How stream events change the trading snapshots: pure functions from the
// current rows and one `{session, event}` frame to the next rows, the same
// folding the server's session view does (host/view.rs, and host/equity.rs
// for the day's starting equity and the peak).

import { add, compare, divide, isPositive, sub } from "./decimal";
import type { FillRow, OpenOrderRow, OrderRequest, PnlRow, PositionRow, SessionFrame } from "./types";

/** Recent fills kept in the view. */
export const FILLS_KEPT = 200;

const str = (v: unknown): string | null => (typeof v === "string" ? v : typeof v === "number" ? String(v) : null);

/** An order event's setup: the label (`fvg_retest:1h`), or the model's `{pattern, timeframe}`. */
function setupOf(v: unknown): string | null {
  if (typeof v === "string") return v === "" ? null : v;
  if (!v || typeof v !== "object") return null;
  const { pattern, timeframe } = v as Record<string, unknown>;
  if (typeof pattern !== "string" || pattern === "") return null;
  return typeof timeframe === "string" && timeframe !== "" ? `${pattern}:${timeframe}` : pattern;
}

function sameOrder(row: OpenOrderRow, session: string, clientId: string | null): boolean {
  return row.session === session && row.order.client_id === clientId;
}

/** An `orders` (or `fills`) topic event applied to the open orders. */
export function applyOrderEvent(rows: OpenOrderRow[], { session, event }: SessionFrame): OpenOrderRow[] {
  const id = str(event.client_id);
  switch (event.type) {
    case "order_submitted": {
      const order = event.order as OrderRequest | undefined;
      if (!order || typeof order.client_id !== "string") return rows;
      const row: OpenOrderRow = { session, order, status: "submitted", filled_qty: "0", setup: setupOf(event.setup) };
      const rest = rows.filter((r) => !sameOrder(r, session, order.client_id));
      return [...rest, row];
    }
    case "order_accepted":
      return rows.map((r) => (sameOrder(r, session, id) ? { ...r, status: "accepted" } : r));
    case "cancel_requested":
      return rows.map((r) => (sameOrder(r, session, id) ? { ...r, status: "cancel_requested" } : r));
    case "order_rejected":
    case "order_cancelled":
    case "order_expired":
      return rows.filter((r) => !sameOrder(r, session, id));
    case "order_amended": {
      const trigger = str(event.trigger);
      if (trigger === null) return rows;
      return rows.map((r) =>
        sameOrder(r, session, id) ? { ...r, order: { ...r.order, kind: { ...r.order.kind, trigger } } } : r,
      );
    }
    case "fill": {
      const qty = str(event.qty);
      if (qty === null) return rows;
      const next: OpenOrderRow[] = [];
      for (const r of rows) {
        if (!sameOrder(r, session, id)) {
          next.push(r);
          continue;
        }
        const filled = add(r.filled_qty, qty) ?? r.filled_qty;
        const done = compare(filled, r.order.qty);
        if (done === null || done < 0) next.push({ ...r, filled_qty: filled });
      }
      return next;
    }
    default:
      return rows;
  }
}

/** A `positions` topic event applied to the open positions. */
export function applyPositionEvent(rows: PositionRow[], { session, event }: SessionFrame): PositionRow[] {
  if (event.type !== "position_changed") return rows;
  const instrument = str(event.instrument);
  const qty = str(event.qty);
  if (instrument === null || qty === null) return rows;
  const rest = rows.filter((r) => !(r.session === session && r.instrument === instrument));
  if (compare(qty, "0") === 0) return rest;
  const row: PositionRow = {
    session,
    instrument,
    qty,
    avg_price: str(event.avg_price) ?? "0",
    realized_pnl: str(event.realized_pnl) ?? "0",
    time: typeof event.time === "number" ? event.time : 0,
  };
  const at = rows.findIndex((r) => r.session === session && r.instrument === instrument);
  if (at < 0) return [...rest, row];
  const next = [...rows];
  next[at] = row;
  return next;
}

const DAY_MS = 86_400_000;

type Marks = Pick<PnlRow, "day_start_equity" | "today_pnl" | "peak_equity" | "drawdown" | "marked_day">;

/**
 * The day's starting equity, peak, today's P&L and drawdown after a mark at
 * `time` (host/equity.rs): a new UTC day starts from the last equity before
 * it. A snapshot row does not say which day its last mark fell on, so the
 * first mark after a load is taken to be on that day (a reload on reconnect
 * sets it right). Nothing when the row came from a server without them.
 */
function marksAfter(current: PnlRow | undefined, equity: string, time: number | null): Marks {
  if (current && !("today_pnl" in current)) return {};
  const day = time === null ? undefined : Math.floor(time / DAY_MS);
  let dayStart = current?.day_start_equity ?? null;
  if (dayStart === null) dayStart = equity;
  else if (day !== undefined && current?.marked_day !== undefined && day !== current.marked_day) dayStart = current.equity ?? equity;
  const before = current?.peak_equity ?? null;
  const peak = before === null || compare(equity, before) === 1 ? equity : before;
  const below = sub(peak, equity);
  return {
    day_start_equity: dayStart,
    today_pnl: sub(equity, dayStart),
    peak_equity: peak,
    drawdown: below !== null && isPositive(peak) ? divide(below, peak, 8) : null,
    marked_day: day ?? current?.marked_day,
  };
}

/** An equity mark (`positions` topic) applied to the P&L rows. */
export function applyPnlEvent(rows: PnlRow[], { session, event }: SessionFrame): PnlRow[] {
  if (event.type !== "equity_mark") return rows;
  const equity = str(event.equity);
  const cash = str(event.cash);
  if (equity === null) return rows;
  const current = rows.find((r) => r.session === session);
  const starting = current?.starting_equity ?? equity;
  const row: PnlRow = {
    session,
    cash,
    equity,
    starting_equity: starting,
    pnl: sub(equity, starting),
    realized_pnl: current?.realized_pnl ?? "0",
    ...marksAfter(current, equity, typeof event.time === "number" ? event.time : null),
  };
  return current ? rows.map((r) => (r.session === session ? row : r)) : [...rows, row];
}

/** A `fills` topic event appended to the recent fills (oldest first). */
export function applyFillEvent(rows: FillRow[], { session, event }: SessionFrame): FillRow[] {
  if (event.type !== "fill") return rows;
  const fill: FillRow = {
    session,
    client_id: str(event.client_id) ?? "",
    instrument: str(event.instrument) ?? "",
    trade_id: str(event.trade_id) ?? "",
    side: event.side === "sell" ? "sell" : "buy",
    price: str(event.price) ?? "",
    qty: str(event.qty) ?? "",
    fee: str(event.fee) ?? "",
    liquidity: str(event.liquidity) ?? "",
    time: typeof event.time === "number" ? event.time : 0,
    setup: setupOf(event.setup),
  };
  if (rows.some((r) => r.session === session && r.trade_id === fill.trade_id && fill.trade_id !== "")) return rows;
  const next = [...rows, fill];
  return next.length > FILLS_KEPT ? next.slice(next.length - FILLS_KEPT) : next;
}
