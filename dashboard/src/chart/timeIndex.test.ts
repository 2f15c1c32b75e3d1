import { describe, expect, it } from "vitest";
import { barIndexOf, barLocator, timeframeMs } from "./timeIndex";

const M = 60_000;
const times = [0, M, 2 * M, 5 * M, 6 * M]; // a gap between 2m and 5m

describe("barIndexOf", () => {
  it("finds bars by open time, inside a bar, and across a gap", () => {
    expect(barIndexOf(times, M, 0)).toBe(0);
    expect(barIndexOf(times, M, 2 * M)).toBe(2);
    expect(barIndexOf(times, M, 2 * M + 30_000)).toBe(2);
    expect(barIndexOf(times, M, 3 * M)).toBe(3); // in the gap: the next bar
    expect(barIndexOf(times, M, 6 * M)).toBe(4);
  });

  it("extrapolates before the first and after the last bar", () => {
    expect(barIndexOf(times, M, -3 * M)).toBe(-3);
    expect(barIndexOf(times, M, 8 * M)).toBe(6);
  });

  it("knows the timeframes the API takes", () => {
    expect(timeframeMs("4h")).toBe(14_400_000);
    expect(timeframeMs("2m")).toBeNull();
  });
});

describe("barLocator", () => {
  /** Every minute and half minute from 5 bars before the first to 5 after the last. */
  const probes = (t: number[]) => {
    const out: number[] = [];
    for (let x = (t[0] ?? 0) - 5 * M; x <= (t[t.length - 1] ?? 0) + 5 * M; x += M / 2) out.push(x);
    return out;
  };
  const same = (t: number[], dur: number) => {
    const at = barLocator(t, dur);
    for (const x of probes(t)) expect([x, at(x)]).toEqual([x, barIndexOf(t, dur, x)]);
  };

  it("answers as barIndexOf on candles with gaps (the lookup table)", () => {
    same(times, M);
    same([10 * M, 11 * M, 12 * M, 14 * M, 15 * M, 16 * M, 19 * M], M);
    same([0, 4 * M, 8 * M], 4 * M);
    expect(barLocator(times, M)(3 * M + 1)).toBe(3);
  });

  it("answers as barIndexOf where the table does not fit (off-grid opens, long gaps, one or no candle)", () => {
    same([0, M, 2 * M + 7, 5 * M], M);
    same([0, M, 1000 * M], M);
    same([7 * M], M);
    expect(barLocator([], M)(5 * M)).toBe(0);
  });
});
