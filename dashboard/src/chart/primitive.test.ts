import { describe, expect, it } from "vitest";
import type { SeriesAttachedParameter, SeriesType, Time } from "lightweight-charts";
import { boxStyle, boxStyles, chartColours } from "./colours";
import { buildOverlays, type Overlays } from "./overlays";
import { SmcOverlayPrimitive } from "./primitive";
import { candles, served } from "./fixtures";

// The primitive drawn on a recording canvas over fake scales: x = 100 + 6 * bar, y = (70000 - price) / 10.
const colours = chartColours({ palette: { mode: "dark", background: { paper: "#161b22" }, text: { primary: "#e6edf3" } } });
const overlays = buildOverlays(served, candles.map((c) => c.open_time), 60_000);
const X = (bar: number) => 100 + 6 * bar;
const Y = (price: number) => (70_000 - price) / 10;
const HALF = 3;

type Call = { op: string; args: number[]; style: string };

function draw(o: Overlays, from: number, to: number): Call[] {
  const calls: Call[] = [];
  const state: Record<string, unknown> = { fillStyle: "", strokeStyle: "" };
  const context = new Proxy(state, {
    get: (s, name: string) =>
      name in s
        ? s[name]
        : (...args: unknown[]) => {
            const style = name === "fillRect" || name === "fillText" ? String(s.fillStyle) : String(s.strokeStyle);
            calls.push({ op: name, args: args.filter((a): a is number => typeof a === "number"), style });
          },
    set: (s, name: string, value) => ((s[name] = value), true),
  });
  const chart = {
    timeScale: () => ({ getVisibleLogicalRange: () => ({ from, to }), logicalToCoordinate: (i: number) => X(i) }),
  };
  const series = { priceToCoordinate: (p: number) => Y(p) };
  const p = new SmcOverlayPrimitive(colours);
  p.attached({ chart, series, requestUpdate: () => {} } as unknown as SeriesAttachedParameter<Time, SeriesType>);
  p.setOverlays(o);
  const target = { useMediaCoordinateSpace: (f: (s: { context: unknown }) => void) => f({ context }) };
  for (const view of p.paneViews()) view.renderer()?.draw(target as never);
  return calls;
}

const key = (c: Call) => `${c.op}|${c.style}|${c.args.map((a) => a.toFixed(3)).join(",")}`;
const sorted = (calls: Call[]) => calls.map(key).sort();

describe("SmcOverlayPrimitive", () => {
  const ranges: [number, number][] = [[450, 599], [100, 250], [0, 40], [598, 700]];

  it("fills exactly the zones reaching into the visible bars, each with its own style", () => {
    const fills = boxStyles(colours).fill;
    for (const [from, to] of ranges) {
      const a = from - 1;
      const b = to + 1;
      const expected = overlays.boxes
        .filter((box) => box.to >= a && box.from <= b)
        .map((box) => {
          const left = X(box.from) - HALF;
          const args = [left, Y(box.top), X(box.to) + HALF - left, Math.max(1, Y(box.bottom) - Y(box.top))];
          return { op: "fillRect", args, style: fills[boxStyle(box.kind, box.direction, box.open)] ?? "" };
        });
      const r = overlays.range;
      const rangeFills = r && r.to >= a && r.from <= b ? 2 : 0;
      const drawn = draw(overlays, from, to).filter((c) => c.op === "fillRect");
      expect(expected.length).toBeGreaterThan(0);
      expect(sorted(drawn.slice(rangeFills))).toEqual(sorted(expected));
    }
  });

  it("outlines the visible order blocks and breakers, one path per colour", () => {
    const [from, to] = ranges[0] as [number, number];
    const visible = overlays.boxes.filter((b) => b.to >= from - 1 && b.from <= to + 1);
    const calls = draw(overlays, from, to);
    const outlined = visible.filter((b) => b.kind === "ob" || b.kind === "breaker_block");
    expect(calls.filter((c) => c.op === "rect")).toHaveLength(outlined.length);
    const strokes = boxStyles(colours).stroke;
    const outlineColours = new Set(outlined.map((b) => strokes[boxStyle(b.kind, b.direction, false)]));
    expect(outlineColours.size).toBeGreaterThan(1);
    expect(calls.filter((c) => c.op === "stroke" && outlineColours.has(c.style))).toHaveLength(outlineColours.size);
  });

  it("draws the visible structure breaks, liquidity levels and sweeps with their labels", () => {
    for (const [from, to] of ranges) {
      const a = from - 1;
      const b = to + 1;
      const structure = overlays.structure.filter((s) => s.to >= a && s.from <= b);
      const liquidity = overlays.liquidity.filter((l) => l.to >= a && l.from <= b);
      const sweeps = overlays.sweeps.filter((s) => s.at >= a && s.at <= b);
      const calls = draw(overlays, from, to);
      const texts = calls.filter((c) => c.op === "fillText").length;
      const eq = overlays.range && overlays.range.to >= a && overlays.range.from <= b ? 1 : 0;
      expect(texts).toBe(structure.length + liquidity.length + eq);
      const moves = calls.filter((c) => c.op === "moveTo").map((c) => c.args.map((v) => v.toFixed(3)).join(","));
      for (const s of structure) expect(moves).toContain([X(s.from), Math.round(Y(s.level)) + 0.5].map((v) => v.toFixed(3)).join(","));
      for (const s of sweeps) expect(moves).toContain([X(s.at) - 4, Y(s.level) - 4].map((v) => v.toFixed(3)).join(","));
      expect(moves.length).toBe(structure.length + liquidity.length + 2 * sweeps.length + eq);
    }
  });

  it("draws nothing without overlays", () => {
    expect(draw({ boxes: [], structure: [], liquidity: [], sweeps: [], range: null }, 0, 100).filter((c) => c.op.startsWith("fill"))).toEqual([]);
  });
});
