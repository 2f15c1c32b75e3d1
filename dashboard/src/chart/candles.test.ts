import { describe, expect, it } from "vitest";
import { mergeCandle, priceDecimals, toBars } from "./candles";
import type { ApiCandle } from "./types";

const M = 60_000;
const c = (open_time: number, open: string, high: string, low: string, close: string): ApiCandle => ({
  open_time,
  open,
  high,
  low,
  close,
  volume: "1",
});

describe("candles", () => {
  it("turns the API's decimal strings into chart bars in seconds", () => {
    const [bar] = toBars([c(1_649_376_000_000, "43417.1", "43440", "43402.7", "43402.7")]);
    expect(bar).toMatchObject({ time: 1_649_376_000, openMs: 1_649_376_000_000, open: 43417.1, high: 43440, close: 43402.7 });
  });

  it("appends a live candle of the chart's timeframe and ignores one it has", () => {
    const bars = toBars([c(0, "1", "2", "0.5", "1.5")]);
    const next = mergeCandle(bars, c(M, "1.5", "3", "1", "2"), M);
    expect(next.merge).toBe("appended");
    expect(next.bars.map((b) => b.close)).toEqual([1.5, 2]);
    expect(mergeCandle(next.bars, c(M, "9", "9", "9", "9"), M).merge).toBe("none");
    expect(mergeCandle(next.bars, c(0, "9", "9", "9", "9"), M).merge).toBe("none");
  });

  it("folds 1m candles into the current 5m bar, then opens the next", () => {
    const five = 5 * M;
    let bars = toBars([c(0, "10", "11", "9", "10.5")]);
    bars = mergeCandle(bars, c(M, "10.5", "12", "10", "11.5"), five).bars;
    bars = mergeCandle(bars, c(2 * M, "11.5", "11.6", "8", "9"), five).bars;
    expect(bars).toHaveLength(1);
    expect(bars[0]).toMatchObject({ open: 10, high: 12, low: 8, close: 9, throughMs: 2 * M });
    const next = mergeCandle(bars, c(5 * M, "9", "9.5", "8.5", "9.2"), five);
    expect(next.merge).toBe("appended");
    expect(next.bars[1]).toMatchObject({ openMs: five, open: 9, close: 9.2 });
  });

  it("quotes prices with the candles' own decimals", () => {
    expect(priceDecimals([c(0, "1.57597", "1.576", "1.5", "1.57")])).toBe(5);
    expect(priceDecimals([c(0, "43417", "43440", "43402.7", "43402.7")])).toBe(2);
    expect(priceDecimals([])).toBe(2);
  });
});
