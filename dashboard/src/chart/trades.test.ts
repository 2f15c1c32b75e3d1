import { describe, expect, it } from "vitest";
import { toBars } from "./candles";
import { candles, trades } from "./fixtures";
import { fillFrame } from "./frames";
import { markerText, seriesMarkers, symbolOf, tradeMarks } from "./trades";
import type { ApiFill } from "./types";

const colours = { buy: "#0f0", sell: "#f00", exit: "#fff" };
const fill = (side: "buy" | "sell", qty: string, time: number, extra: Partial<ApiFill> = {}): ApiFill => ({
  client_id: `smacross-${time}-0`,
  instrument: "binance:BTCUSDT",
  trade_id: `t${time}`,
  side,
  price: "100.5",
  qty,
  fee: "0",
  liquidity: "taker",
  time,
  session: "s1",
  ...extra,
});

describe("trade marks", () => {
  it("reads the symbol of an instrument id", () => {
    expect(symbolOf("binance:BTCUSDT")).toBe("BTCUSDT");
    expect(symbolOf("ethusdt")).toBe("ETHUSDT");
  });

  it("tells entries from exits by the running position", () => {
    const marks = tradeMarks(
      [fill("buy", "1", 1), fill("buy", "1", 2), fill("sell", "2", 3), fill("sell", "1", 4), fill("buy", "1", 5)],
      "btcusdt",
    );
    expect(marks.map((m) => `${m.role}:${m.side}`)).toEqual([
      "entry:buy",
      "entry:buy",
      "exit:sell",
      "entry:sell",
      "exit:buy",
    ]);
  });

  it("says side and price, or the setup when a fill carries one", () => {
    const [plain, withSetup] = tradeMarks(
      [fill("buy", "1", 1), fill("sell", "1", 2, { setup: "ob_retest:1m" })],
      "BTCUSDT",
    );
    expect(markerText(plain!)).toBe("Long buy @ 100.5");
    expect(markerText(withSetup!)).toBe("Exit ob_retest:1m @ 100.5");
  });

  it("labels the markers of a REST fill and of a fills frame with their setup", () => {
    const bars = toBars(candles);
    const t = candles[10]!.open_time + 1_000;
    const live = fillFrame({
      session: "s1",
      event: { type: "fill", client_id: "smacross-9-0", instrument: "binance:BTCUSDT", trade_id: "t9", side: "sell", price: "38919.1", qty: "1", fee: "0", liquidity: "taker", time: t + 60_000, setup: "fvg_retest:1h" },
    });
    expect(live?.setup).toBe("fvg_retest:1h");
    const rest = fill("buy", "1", t, { setup: "sma_cross", price: "38900" });
    const operator = fill("buy", "1", t + 120_000, { setup: null, price: "38950" });
    const marks = tradeMarks([rest, live!, operator], "BTCUSDT", "s1");
    expect(marks.map((m) => m.setup)).toEqual(["sma_cross", "fvg_retest:1h", null]);
    const markers = seriesMarkers(marks, bars, 60_000, colours);
    expect(markers.map((m) => m.text)).toEqual(["Long sma_cross @ 38900", "Exit fvg_retest:1h @ 38919.1", "Long buy @ 38950"]);
    expect(markers.map((m) => m.time)).toEqual([bars[10]!.time, bars[11]!.time, bars[12]!.time]);
  });

  it("places the real session's fills on the bars whose price filled them", () => {
    const bars = toBars(candles);
    const marks = tradeMarks(trades, "BTCUSDT");
    expect(marks).toHaveLength(trades.length);
    expect(marks[0]?.role).toBe("entry");
    const markers = seriesMarkers(marks, bars, 60_000, colours);
    expect(markers).toHaveLength(trades.length);
    for (const [k, m] of markers.entries()) {
      const t = trades[k]!;
      const bar = bars.find((b) => b.time === m.time);
      expect(bar).toBeDefined();
      expect(t.time - bar!.openMs).toBeGreaterThanOrEqual(0);
      expect(t.time - bar!.openMs).toBeLessThan(60_000);
      expect(m.text).toContain(t.price);
      expect(m.shape).toBe(t.side === "buy" ? "arrowUp" : "arrowDown");
    }
  });

  it("leaves out other symbols and fills before the shown bars", () => {
    const bars = toBars(candles.slice(100));
    const marks = tradeMarks([fill("buy", "1", candles[0]!.open_time, { instrument: "binance:ETHUSDT" })], "BTCUSDT");
    expect(marks).toHaveLength(0);
    expect(tradeMarks([fill("buy", "1", 1, { session: "s2" }), fill("buy", "1", 2)], "BTCUSDT", "s1")).toHaveLength(1);
    const early = tradeMarks([fill("buy", "1", candles[0]!.open_time)], "BTCUSDT");
    expect(seriesMarkers(early, bars, 60_000, colours)).toHaveLength(0);
  });
});
