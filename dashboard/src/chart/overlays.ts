// From detection events to overlay geometry. smc serve's detector reports
// each SMC object as a lifecycle of events linked by (kind, id): formed,
// then maybe mitigated, then broken / swept / invalidated / expired. Here
// they become boxes (order blocks, FVGs and their flipped forms), structure
// segments (BOS / CHoCH), liquidity levels, sweep points and the current
// premium/discount range, all placed by bar index over the shown candles.

import { barLocator } from "./timeIndex";
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
  if (times.length === 0) return { boxes: [], structure: [], liquidity: [], sweeps: [], range: null };
  const at = barLocator(times, dur);
  // One pass over the events as the server sends them (in the order they
  // became known); input out of that order is ordered first, then built again.
  return buildInOrder(events, at, times.length - 1, true) ?? (buildInOrder(orderEvents(events), at, times.length - 1, false) as Overlays);
}

/**
 * The overlays in one pass: each object's state is found by its (kind, id)
 * code, repeats of an event are skipped by the object's mask of events seen.
 * With `checkOrder`, gives null on meeting an event known before the previous one.
 */
function buildInOrder(events: readonly SmcEvent[], at: (t: number) => number, last: number, checkOrder: boolean): Overlays | null {
  const out: Overlays = { boxes: [], structure: [], liquidity: [], sweeps: [], range: null };
  const boxes = new Map<number, Box>();
  const pools = new Map<number, LiquidityLevel>();
  const seen = new Map<number, number>();
  let knownAt = -Infinity;
  for (let k = 0; k < events.length; k++) {
    const e = events[k] as SmcEvent;
    if (checkOrder) {
      if (e.known_at < knownAt) return null;
      knownAt = e.known_at;
    }
    const kind = e.kind;
    const kindCode = KIND_CODE[kind];
    // Swings are not drawn (BOS / CHoCH and liquidity carry their levels).
    if (kindCode === undefined || kindCode <= 2) continue;
    const code = e.id * 16 + kindCode;
    const event = e.event;
    const bit = 1 << (EVENT_CODE[event] ?? 7);
    const mask = seen.get(code) ?? 0;
    if (mask & bit) continue;
    seen.set(code, mask | bit);
    const formed = event === "formed";
    switch (kind) {
      case "ob":
      case "breaker_block":
      case "fvg":
      case "inverse_fvg": {
        if (formed) {
          const top = e.top;
          const bottom = e.bottom;
          if (!finite(top) || !finite(bottom)) continue;
          const box: Box = {
            key: `${kind}:${e.id}`,
            kind,
            direction: dir(e.direction),
            internal: e.scope === "internal",
            top: Math.max(top, bottom),
            bottom: Math.min(top, bottom),
            from: at(e.time),
            to: last,
            open: true,
          };
          boxes.set(code, box);
        } else {
          // The first touch (or an end without one) closes the box.
          const box = boxes.get(code);
          if (box && box.open) {
            box.to = Math.max(box.from, at(e.time));
            box.open = false;
          }
        }
        break;
      }
      case "bos":
      case "choch": {
        const level = e.level;
        if (!finite(level)) continue;
        const internal = e.scope === "internal";
        const name = kind === "bos" ? "BOS" : "CHoCH";
        const time = e.time;
        const to = at(time);
        if (to < 0) continue;
        out.structure.push({
          key: `${kind}:${e.id}`,
          kind,
          direction: dir(e.direction),
          internal,
          level,
          from: at(e.origin_time ?? time),
          to,
          label: internal ? name.toLowerCase() : name,
        });
        break;
      }
      case "liquidity": {
        if (formed) {
          const level = e.level;
          if (!finite(level)) continue;
          const direction = e.direction;
          pools.set(code, {
            key: `${kind}:${e.id}`,
            direction: dir(direction),
            level,
            from: at(e.origin_time ?? e.time),
            to: last,
            open: true,
            label: direction >= 0 ? "EQH" : "EQL",
          });
        } else {
          const pool = pools.get(code);
          if (pool && pool.open) {
            pool.to = Math.max(pool.from, at(e.time));
            pool.open = false;
          }
        }
        break;
      }
      case "sweep": {
        const level = e.level;
        if (!finite(level)) continue;
        const time = e.time;
        const bar = at(time);
        if (bar < 0) continue;
        out.sweeps.push({ key: `${kind}:${e.id}:${time}`, direction: dir(e.direction), level, at: bar });
        break;
      }
      case "premium_discount": {
        const top = e.top;
        const bottom = e.bottom;
        if (!formed || !finite(top) || !finite(bottom)) continue;
        const high = Math.max(top, bottom);
        const low = Math.min(top, bottom);
        const start = Math.min(at(e.time), at(e.origin_time ?? e.time));
        out.range = { top: high, bottom: low, equilibrium: finite(e.level) ? e.level : (high + low) / 2, from: start, to: last };
        break;
      }
    }
  }
  for (const box of boxes.values()) if (box.to >= 0) out.boxes.push(box);
  for (const pool of pools.values()) if (pool.to >= 0) out.liquidity.push(pool);
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
