import { describe, expect, it } from "vitest";
import { barIndexOf, timeframeMs } from "./timeIndex";

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
