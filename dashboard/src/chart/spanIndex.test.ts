import { describe, expect, it } from "vitest";
import { SpanIndex } from "./spanIndex";

interface Span {
  id: number;
  from: number;
  to: number;
}

const index = (spans: Span[]) => new SpanIndex(spans, (s) => s.from, (s) => s.to);
const ids = (spans: Span[]) => spans.map((s) => s.id);

/** The same answer by looking at every object. */
const naive = (spans: Span[], a: number, b: number) => ids(spans.filter((s) => s.to >= a && s.from <= b));

describe("SpanIndex", () => {
  it("finds what reaches into the bars, touching ends included", () => {
    const spans = [
      { id: 1, from: 0, to: 4 },
      { id: 2, from: 2, to: 3 },
      { id: 3, from: 5, to: 5 },
      { id: 4, from: 6, to: 9 },
      { id: 5, from: -3, to: 20 },
    ];
    const ix = index(spans);
    expect(ids(ix.collect(4, 5, []))).toEqual([1, 3, 5]);
    expect(ids(ix.collect(10, 30, []))).toEqual([5]);
    expect(ids(ix.collect(-10, -4, []))).toEqual([]);
    expect(ids(ix.collect(21, 40, []))).toEqual([]);
  });

  it("keeps the given order, sorted or not", () => {
    const ix = index([
      { id: 1, from: 3, to: 3 },
      { id: 2, from: 1, to: 5 },
      { id: 3, from: 1, to: 2 },
    ]);
    expect(ids(ix.collect(0, 10, []))).toEqual([1, 2, 3]);
    expect(ids(ix.collect(3, 3, []))).toEqual([1, 2]);
  });

  it("gives what a scan of all gives, over many blocks, long and short spans", () => {
    // A deterministic mix in about the order objects form (starts drifting
    // up with local disorder): most spans short, some long, some open to the end (bar 4999).
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
    const spans: Span[] = Array.from({ length: 3000 }, (_, id) => {
      const from = Math.floor(id * 1.6 + random() * 200) - 50;
      const r = random();
      const to = r < 0.05 ? 4999 : r < 0.15 ? from + Math.floor(random() * 2000) : from + Math.floor(random() * 30);
      return { id, from, to };
    });
    const ix = index(spans);
    const out: Span[] = [];
    for (const [a, b] of [[4850, 5001], [0, 150], [-60, -40], [2500, 2500], [1000, 3000], [6000, 7000]] as const) {
      expect(ids(ix.collect(a, b, out))).toEqual(naive(spans, a, b));
    }
    expect(ix.collect(4850, 5001, out).length).toBeGreaterThan(150);
    // Input in no order at all gives the same answers (the blocks just skip less).
    const shuffled = [...spans].sort((p, q) => ((p.id * 7919) % 3001) - ((q.id * 7919) % 3001));
    expect(ids(index(shuffled).collect(1000, 1200, out))).toEqual(naive(shuffled, 1000, 1200));
  });

  it("holds nothing when given nothing", () => {
    expect(index([]).collect(0, 10, [])).toEqual([]);
  });
});
