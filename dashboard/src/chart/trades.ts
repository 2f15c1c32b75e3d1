// The agent's fills as chart markers: entries and exits, placed on the bar
// whose price filled them, saying the setup of the order each filled (smc
// serve puts it on GET /trades and on the fills frames' events; a fill of
// an operator's order, or one replayed from the journal, has none and says
// its side instead) and the price; whether a fill opens or closes is told
// by the running position of its session and instrument.

import type { SeriesMarker, UTCTimestamp } from "lightweight-charts";
import type { Bar } from "./candles";
import { barIndexOf } from "./timeIndex";
import type { ApiFill } from "./types";

export interface TradeMark {
  key: string;
  role: "entry" | "exit";
  side: "buy" | "sell";
  price: string;
  time: number;
  setup: string | null;
}

/** The symbol of an instrument id such as `binance:BTCUSDT`. */
export function symbolOf(instrument: string): string {
  const at = instrument.lastIndexOf(":");
  return (at >= 0 ? instrument.slice(at + 1) : instrument).toUpperCase();
}

function setupOf(fill: ApiFill): string | null {
  const setup: unknown = fill.setup;
  return typeof setup === "string" && setup !== "" ? setup : null;
}

/**
 * The fills of `symbol`, oldest first, each an entry (it opens or adds to a
 * position) or an exit (it reduces, closes or flips one). Positions are
 * followed per session and instrument in float: only the sign matters.
 * With `session`, only that session's fills (the one whose candles are shown).
 */
export function tradeMarks(fills: readonly ApiFill[], symbol: string, session: string | null = null): TradeMark[] {
  const want = symbol.toUpperCase();
  const position = new Map<string, number>();
  const seen = new Set<string>();
  const out: TradeMark[] = [];
  const sorted = fills
    .map((f, k) => ({ f, k }))
    .sort((a, b) => a.f.time - b.f.time || a.k - b.k)
    .map(({ f }) => f);
  for (const f of sorted) {
    const book = `${f.session ?? ""}|${f.instrument}`;
    const key = `${book}|${f.trade_id}|${f.client_id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const signed = (f.side === "buy" ? 1 : -1) * Number(f.qty);
    const before = position.get(book) ?? 0;
    position.set(book, before + signed);
    if (symbolOf(f.instrument) !== want || (session !== null && f.session !== session)) continue;
    const role = before === 0 || Math.sign(before) === Math.sign(signed) ? "entry" : "exit";
    out.push({ key, role, side: f.side, price: f.price, time: f.time, setup: setupOf(f) });
  }
  return out;
}

export interface MarkerColours {
  buy: string;
  sell: string;
  exit: string;
}

/** A marker's words: the setup when known, else the side; then the price. */
export function markerText(m: TradeMark): string {
  const what = m.role === "entry" ? (m.side === "buy" ? "Long" : "Short") : "Exit";
  return m.setup ? `${what} ${m.setup} @ ${m.price}` : `${what} ${m.side} @ ${m.price}`;
}

/** Series markers for the marks that fall on the shown bars. */
export function seriesMarkers(
  marks: readonly TradeMark[],
  bars: readonly Bar[],
  dur: number,
  colours: MarkerColours,
): SeriesMarker<UTCTimestamp>[] {
  if (bars.length === 0) return [];
  const times = bars.map((b) => b.openMs);
  const out: SeriesMarker<UTCTimestamp>[] = [];
  for (const m of marks) {
    const i = barIndexOf(times, dur, m.time);
    const bar = bars[i];
    if (!bar) continue;
    const buy = m.side === "buy";
    out.push({
      id: m.key,
      time: bar.time,
      position: buy ? "belowBar" : "aboveBar",
      shape: buy ? "arrowUp" : "arrowDown",
      color: m.role === "exit" ? colours.exit : buy ? colours.buy : colours.sell,
      text: markerText(m),
    });
  }
  return out;
}
