// From detection events to overlay geometry. smc serve's detector reports
// each SMC object as a lifecycle of events linked by (kind, id): formed,
// then maybe mitigated, then broken / swept / invalidated / expired. Here
// they become boxes (order blocks, FVGs and their flipped forms), structure
// segments (BOS / CHoCH), liquidity levels, sweep points and the current
// premium/discount range, all placed by bar index over the shown candles.

import { barIndexOf } from "./timeIndex";
import type { SmcEvent } from "./types";

export type BoxKind = "ob" | "breaker_block" | "fvg" | "inverse_fvg";

/** A zone from the candle it comes from to the candle that first touched it. */
export interface Box {
  key: string;
  kind: BoxKind;
  direction: 1 | -1;
  internal: boolean;
  top: number;
  bottom: number;
  from: number;
  /** The mitigating (or ending) bar; the last bar while still open. */
  to: number;
  /** Not mitigated nor ended yet: extends to the last candle. */
  open: boolean;
}

/** A BOS or CHoCH: the broken swing's level, from the swing to the breaking bar. */
export interface StructureLine {
  key: string;
  kind: "bos" | "choch";
  direction: 1 | -1;
  internal: boolean;
  level: number;
  from: number;
  to: number;
  label: string;
}

/** Equal highs (EQH) or lows (EQL): from the first swing to where price took it. */
export interface LiquidityLevel {
  key: string;
  direction: 1 | -1;
  level: number;
  from: number;
  to: number;
  open: boolean;
  label: "EQH" | "EQL";
}

/** A wick through a level that closed back. */
export interface SweepPoint {
  key: string;
  direction: 1 | -1;
  level: number;
  at: number;
}

/** The latest dealing range: premium above the equilibrium, discount below. */
export interface PremiumDiscount {
  top: number;
  bottom: number;
  equilibrium: number;
  from: number;
  to: number;
}

export interface Overlays {
  boxes: Box[];
  structure: StructureLine[];
  liquidity: LiquidityLevel[];
  sweeps: SweepPoint[];
  range: PremiumDiscount | null;
}

const BOX_KINDS: ReadonlySet<string> = new Set(["ob", "breaker_block", "fvg", "inverse_fvg"]);
const RANK: Record<string, number> = { formed: 0, mitigated: 1 };
// Numeric codes for (kind, id) and (kind, id, event) keys: cheaper than strings on 25k events.
const KIND_CODE: Record<string, number> = {
  swing_high: 1, swing_low: 2, bos: 3, choch: 4, ob: 5, breaker_block: 6,
  fvg: 7, inverse_fvg: 8, liquidity: 9, sweep: 10, premium_discount: 11,
};
const EVENT_CODE: Record<string, number> = { formed: 1, mitigated: 2, broken: 3, swept: 4, invalidated: 5, expired: 6 };
const objectCode = (e: SmcEvent) => e.id * 16 + (KIND_CODE[e.kind] ?? 15);

const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const dir = (d: number): 1 | -1 => (d >= 0 ? 1 : -1);

/** Events in the order they became known (`formed` first at equal times), each (kind, id, event) once. */
export function orderEvents(events: readonly SmcEvent[]): SmcEvent[] {
  const seen = new Set<number>();
  const out: SmcEvent[] = [];
  let sorted = true;
  let previous: SmcEvent | null = null;
  for (const e of events) {
    const id = objectCode(e) * 8 + (EVENT_CODE[e.event] ?? 7);
    if (seen.has(id)) continue;
    seen.add(id);
    if (previous && e.known_at < previous.known_at) sorted = false;
    out.push(e);
    previous = e;
  }
  // The server sends them as its detector made them known: keep that order
  // (it is causal within a candle too); sort only input that is not.
  return sorted ? out : out.map((e, k) => ({ e, k })).sort((a, b) => compare(a.e, b.e) || a.k - b.k).map(({ e }) => e);
}

const compare = (a: SmcEvent, b: SmcEvent) => a.known_at - b.known_at || (RANK[a.event] ?? 2) - (RANK[b.event] ?? 2);

/**
 * The overlays of `events` over candles opening at `times` (ascending,
 * `dur` ms apart). Objects that ended before the first candle are left
 * out; objects older than it start at a negative index (off the left edge).
 */
export function buildOverlays(events: readonly SmcEvent[], times: readonly number[], dur: number): Overlays {
  const out: Overlays = { boxes: [], structure: [], liquidity: [], sweeps: [], range: null };
  if (times.length === 0) return out;
  const last = times.length - 1;
  const at = (t: number) => barIndexOf(times, dur, t);
  const boxes = new Map<number, Box>();
  const pools = new Map<number, LiquidityLevel>();
  for (const e of orderEvents(events)) {
    const code = objectCode(e);
    const key = () => `${e.kind}:${e.id}`;
    if (BOX_KINDS.has(e.kind)) {
      let box = boxes.get(code);
      if (e.event === "formed") {
        if (!finite(e.top) || !finite(e.bottom)) continue;
        box = {
          key: key(),
          kind: e.kind as BoxKind,
          direction: dir(e.direction),
          internal: e.scope === "internal",
          top: Math.max(e.top, e.bottom),
          bottom: Math.min(e.top, e.bottom),
          from: at(e.time),
          to: last,
          open: true,
        };
        boxes.set(code, box);
      } else if (box && box.open) {
        // The first touch (or an end without one) closes the box.
        box.to = Math.max(box.from, at(e.time));
        box.open = false;
      }
    } else if (e.kind === "bos" || e.kind === "choch") {
      if (!finite(e.level)) continue;
      const internal = e.scope === "internal";
      const name = e.kind === "bos" ? "BOS" : "CHoCH";
      out.structure.push({
        key: key(),
        kind: e.kind,
        direction: dir(e.direction),
        internal,
        level: e.level,
        from: at(e.origin_time ?? e.time),
        to: at(e.time),
        label: internal ? name.toLowerCase() : name,
      });
    } else if (e.kind === "liquidity") {
      let pool = pools.get(code);
      if (e.event === "formed") {
        if (!finite(e.level)) continue;
        pool = {
          key: key(),
          direction: dir(e.direction),
          level: e.level,
          from: at(e.origin_time ?? e.time),
          to: last,
          open: true,
          label: e.direction >= 0 ? "EQH" : "EQL",
        };
        pools.set(code, pool);
      } else if (pool && pool.open) {
        pool.to = Math.max(pool.from, at(e.time));
        pool.open = false;
      }
    } else if (e.kind === "sweep") {
      if (!finite(e.level)) continue;
      out.sweeps.push({ key: `${key()}:${e.time}`, direction: dir(e.direction), level: e.level, at: at(e.time) });
    } else if (e.kind === "premium_discount" && e.event === "formed") {
      if (!finite(e.top) || !finite(e.bottom)) continue;
      const top = Math.max(e.top, e.bottom);
      const bottom = Math.min(e.top, e.bottom);
      const start = Math.min(at(e.time), at(e.origin_time ?? e.time));
      out.range = { top, bottom, equilibrium: finite(e.level) ? e.level : (top + bottom) / 2, from: start, to: last };
    }
  }
  const inWindow = (to: number) => to >= 0;
  out.boxes = [...boxes.values()].filter((b) => inWindow(b.to));
  out.liquidity = [...pools.values()].filter((p) => inWindow(p.to));
  out.structure = out.structure.filter((s) => inWindow(s.to));
  out.sweeps = out.sweeps.filter((s) => inWindow(s.at));
  return out;
}

/** How many objects of each family the overlays hold (for the legend and tests). */
export interface OverlayCounts {
  orderBlocks: number;
  fvgs: number;
  breakers: number;
  inverseFvgs: number;
  structure: number;
  liquidity: number;
  sweeps: number;
  ranges: number;
}

export function countOverlays(o: Overlays): OverlayCounts {
  const boxes = (kind: BoxKind) => o.boxes.filter((b) => b.kind === kind).length;
  return {
    orderBlocks: boxes("ob"),
    fvgs: boxes("fvg"),
    breakers: boxes("breaker_block"),
    inverseFvgs: boxes("inverse_fvg"),
    structure: o.structure.length,
    liquidity: o.liquidity.length,
    sweeps: o.sweeps.length,
    ranges: o.range ? 1 : 0,
  };
}

/** The overlays without breaker blocks and inverse FVGs (zones price closed through, drawn on demand). */
export function withoutFlipped(o: Overlays): Overlays {
  return { ...o, boxes: o.boxes.filter((b) => b.kind === "ob" || b.kind === "fvg") };
}
