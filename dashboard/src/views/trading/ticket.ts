// The order ticket's fields checked and turned into POST /orders' body
// (decimals stay strings, as the API wants them), and its summary in words.

import { isPositive } from "./decimal";

export type OrderType = "market" | "limit" | "stop";

export interface TicketFields {
  session: string;
  symbol: string;
  side: "buy" | "sell";
  type: OrderType;
  qty: string;
  price: string;
  stopPrice: string;
}

export interface NewOrder {
  session: string;
  symbol: string;
  side: "buy" | "sell";
  type: OrderType;
  qty: string;
  price?: string;
  stop_price?: string;
}

const DECIMAL = /^[0-9]{1,15}(\.[0-9]{1,12})?$/;

function amount(label: string, value: string): string | null {
  const v = value.trim();
  if (!DECIMAL.test(v)) return `${label}: a decimal such as 0.01`;
  if (!isPositive(v)) return `${label}: must be more than zero`;
  return null;
}

/** The order's body, or what is wrong with the fields. */
export function newOrder(f: TicketFields): { order: NewOrder } | { error: string } {
  if (!f.session) return { error: "Session: pick a running session" };
  const symbol = f.symbol.trim().toUpperCase();
  if (!/^[A-Z0-9]{1,20}$/.test(symbol)) return { error: "Symbol: letters and digits, e.g. BTCUSDT" };
  const wrong = amount("Quantity", f.qty);
  if (wrong) return { error: wrong };
  const order: NewOrder = { session: f.session, symbol, side: f.side, type: f.type, qty: f.qty.trim() };
  if (f.type === "limit") {
    const bad = amount("Price", f.price);
    if (bad) return { error: bad };
    order.price = f.price.trim();
  }
  if (f.type === "stop") {
    const bad = amount("Stop price", f.stopPrice);
    if (bad) return { error: bad };
    order.stop_price = f.stopPrice.trim();
    if (f.price.trim()) {
      const badLimit = amount("Price", f.price);
      if (badLimit) return { error: badLimit };
      order.price = f.price.trim();
    }
  }
  return { order };
}

/** "Buy 0.01 BTCUSDT at market" and the like. */
export function summary(o: NewOrder): string {
  const side = o.side === "buy" ? "Buy" : "Sell";
  const how =
    o.type === "market"
      ? "at market"
      : o.type === "limit"
        ? `limit at ${o.price}`
        : o.price
          ? `stop at ${o.stop_price}, then limit at ${o.price}`
          : `stop at ${o.stop_price}, then at market`;
  return `${side} ${o.qty} ${o.symbol} ${how}, in session ${o.session}.`;
}
