// Display helpers of the trading views: decimal strings shown with their
// own precision (2 to 8 places), order kinds and sides in words.

import { money } from "../../format";
import type { OrderKind } from "./types";

/** A decimal string with its own number of places (at least 2, at most 8). */
export function decimal(value: string | null | undefined): string {
  if (value === null || value === undefined || value === "") return "—";
  const places = value.includes(".") ? value.length - value.indexOf(".") - 1 : 0;
  return money(value, Math.min(8, Math.max(2, places)));
}

/** A quantity as the venue gave it. */
export function quantity(value: string | null | undefined): string {
  return value === null || value === undefined || value === "" ? "—" : value;
}

const KIND: Record<OrderKind["type"], string> = {
  market: "Market",
  limit: "Limit",
  stop_market: "Stop",
  stop_limit: "Stop limit",
  take_profit: "Take profit",
};

export function kindText(kind: OrderKind): string {
  return KIND[kind.type] ?? kind.type;
}

export function sideText(side: string): string {
  return side === "sell" ? "Sell" : "Buy";
}

/** Epoch ms of today's start (UTC). */
export function startOfTodayUtc(now: number = Date.now()): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

/** Table cells on one line: a wide table scrolls inside its Section (phones). */
export const NOWRAP = { "& td, & th": { whiteSpace: "nowrap" } } as const;
