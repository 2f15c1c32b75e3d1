import { describe, expect, it } from "vitest";
import { buildOverlays, countOverlays, orderEvents, withoutFlipped } from "./overlays";
import { candles, detected, served } from "./fixtures";
import type { SmcEvent } from "./types";

const M = 60_000;
const times = Array.from({ length: 20 }, (_, i) => i * M);
const ev = (e: Partial<SmcEvent> & Pick<SmcEvent, "kind" | "event" | "id" | "time">): SmcEvent => ({
  timeframe: "1m",
  direction: 1,
  known_at: e.time + M,
  ...e,
});

describe("buildOverlays", () => {
  it("ends an order block's box at the candle that mitigated it", () => {
    const o = buildOverlays(
      [
        ev({ kind: "ob", event: "formed", id: 7, time: 3 * M, known_at: 6 * M, top: 105, bottom: 100, scope: "swing" }),
        ev({ kind: "ob", event: "mitigated", id: 7, time: 9 * M, origin_time: 3 * M, top: 105, bottom: 100 }),
        ev({ kind: "ob", event: "invalidated", id: 7, time: 12 * M, origin_time: 3 * M, top: 105, bottom: 100 }),
      ],
      times,
      M,
    );
    expect(o.boxes).toEqual([
      { key: "ob:7", kind: "ob", direction: 1, internal: false, top: 105, bottom: 100, from: 3, to: 9, open: false },
    ]);
  });

  it("extends an FVG never mitigated to the last candle", () => {
    const o = buildOverlays(
      [ev({ kind: "fvg", event: "formed", id: 2, direction: -1, time: 4 * M, top: 90, bottom: 95 })],
      times,
      M,
    );
    expect(o.boxes[0]).toMatchObject({ kind: "fvg", direction: -1, from: 4, to: 19, open: true, top: 95, bottom: 90 });
  });

  it("draws a BOS from the broken swing to the breaking candle, CHoCH likewise", () => {
    const o = buildOverlays(
      [
        ev({ kind: "bos", event: "formed", id: 3, time: 11 * M, origin_time: 5 * M, level: 120, scope: "swing" }),
        ev({ kind: "choch", event: "formed", id: 4, direction: -1, time: 15 * M, origin_time: 12 * M, level: 99, scope: "internal" }),
      ],
      times,
      M,
    );
    expect(o.structure.map((s) => [s.kind, s.from, s.to, s.level, s.label, s.internal])).toEqual([
      ["bos", 5, 11, 120, "BOS", false],
      ["choch", 12, 15, 99, "choch", true],
    ]);
  });

  it("runs equal highs from the first swing to the sweep, and marks the sweep", () => {
    const o = buildOverlays(
      [
        ev({ kind: "liquidity", event: "formed", id: 5, time: 8 * M, origin_time: 2 * M, level: 130 }),
        ev({ kind: "liquidity", event: "swept", id: 5, time: 14 * M, origin_time: 2 * M, level: 130 }),
        ev({ kind: "sweep", event: "formed", id: 5, time: 14 * M, origin_time: 2 * M, level: 130 }),
        ev({ kind: "liquidity", event: "formed", id: 6, direction: -1, time: 16 * M, origin_time: 10 * M, level: 80 }),
      ],
      times,
      M,
    );
    expect(o.liquidity.map((l) => [l.label, l.from, l.to, l.open])).toEqual([
      ["EQH", 2, 14, false],
      ["EQL", 10, 19, true],
    ]);
    expect(o.sweeps).toEqual([{ key: "sweep:5:840000", direction: 1, level: 130, at: 14 }]);
  });

  it("keeps the latest premium/discount range, open to the last candle", () => {
    const o = buildOverlays(
      [
        ev({ kind: "premium_discount", event: "formed", id: 8, time: 6 * M, origin_time: 2 * M, top: 110, bottom: 90, level: 100 }),
        ev({ kind: "premium_discount", event: "formed", id: 9, time: 9 * M, origin_time: 6 * M, top: 120, bottom: 90, level: 105 }),
      ],
      times,
      M,
    );
    expect(o.range).toEqual({ top: 120, bottom: 90, equilibrium: 105, from: 6, to: 19 });
  });

  it("leaves out objects that ended before the first candle and repeats of an event", () => {
    const later = times.map((t) => t + 10 * M);
    const formed = ev({ kind: "ob", event: "formed", id: 1, time: 2 * M, top: 2, bottom: 1 });
    const o = buildOverlays(
      [
        formed,
        formed,
        ev({ kind: "ob", event: "mitigated", id: 1, time: 4 * M, top: 2, bottom: 1 }),
        ev({ kind: "fvg", event: "formed", id: 2, time: 5 * M, top: 2, bottom: 1 }),
      ],
      later,
      M,
    );
    expect(o.boxes.map((b) => [b.key, b.from, b.to])).toEqual([["fvg:2", -5, 19]]);
    expect(orderEvents([formed, formed])).toHaveLength(1);
  });

  it("draws nothing without candles", () => {
    const o = buildOverlays([ev({ kind: "fvg", event: "formed", id: 2, time: 0, top: 2, bottom: 1 })], [], M);
    expect(countOverlays(o).fvgs).toBe(0);
  });
});

// Real data: a paper session of smc serve fed by smc venue-sim (600 candles
// of testdata/market/binance-usdm/BTCUSDT-1m.csv), its GET /detections, and
// `smc detect` run on the same candles (see fixtures/README.md).
const openTimes = candles.map((c) => c.open_time);

describe("overlays of real detections", () => {
  const o = buildOverlays(served, openTimes, M);
  const formed = (kind: string) => served.filter((e) => e.kind === kind && e.event === "formed");

  it("has one object per formed object of the server's detector", () => {
    expect(candles).toHaveLength(600);
    const c = countOverlays(o);
    expect(c.orderBlocks).toBe(formed("ob").length);
    expect(c.fvgs).toBe(formed("fvg").length);
    expect(c.breakers).toBe(formed("breaker_block").length);
    expect(c.inverseFvgs).toBe(formed("inverse_fvg").length);
    expect(c.structure).toBe(formed("bos").length + formed("choch").length);
    expect(c.liquidity).toBe(formed("liquidity").length);
    expect(c.sweeps).toBe(formed("sweep").length);
    expect(c.ranges).toBe(1);
    expect(c.orderBlocks).toBeGreaterThan(10);
    expect(c.fvgs).toBeGreaterThan(10);
    const plain = countOverlays(withoutFlipped(o));
    expect([plain.breakers, plain.inverseFvgs, plain.orderBlocks, plain.fvgs]).toEqual([0, 0, c.orderBlocks, c.fvgs]);
  });

  it("ends every box at its mitigation candle, or leaves it open", () => {
    for (const box of o.boxes) {
      const [kind, id] = box.key.split(":");
      const ends = served.filter((e) => e.kind === kind && String(e.id) === id && e.event !== "formed");
      const first = ends[0];
      if (!first) {
        expect(box.open).toBe(true);
        expect(box.to).toBe(599);
      } else {
        expect(box.open).toBe(false);
        expect(openTimes[box.to]).toBe(first.time);
        if (ends.some((e) => e.event === "mitigated")) expect(first.event).toBe("mitigated");
      }
      expect(box.from).toBeGreaterThanOrEqual(0);
      expect(box.to).toBeGreaterThanOrEqual(box.from);
    }
  });

  it("draws every structure break from its swing to the breaking candle", () => {
    for (const s of o.structure) {
      expect(s.from).toBeLessThan(s.to);
    }
    const first = served.find((e) => e.kind === "bos" || e.kind === "choch");
    expect(first).toBeDefined();
    expect(o.structure[0]).toMatchObject({ level: first?.level, to: openTimes.indexOf(first?.time ?? -1) });
  });

  it("is the same as what `smc detect` gives for those candles", () => {
    expect(detected).toEqual(served);
    expect(buildOverlays(detected, openTimes, M)).toEqual(o);
  });
});
