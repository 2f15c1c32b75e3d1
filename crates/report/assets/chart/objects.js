// From detection events to drawable objects. The detectors report each SMC
// object as a lifecycle of events linked by (kind, id): formed, then maybe
// mitigated, then broken / swept / invalidated / expired. Here they become
// zones (boxes), segments (levels), markers and bands, placed by fractional
// bar index so that drawing needs no time lookups. Also: which objects the
// layer toggles show, and which are under the pointer.

// Every layer the legend can toggle. `type` says how a kind is drawn; kinds
// the page does not know get a layer of their own at run time (see layerFor).
// Bullish objects in cool colours, bearish in warm ones. Breakers, inverse
// gaps and premium/discount start hidden: with everything on, a busy 1m
// chart is hard to read (the legend shows their counts and turns them on).
// `outline`: zones drawn with a border (blocks) or as a plain fill (gaps).
const LAYERS = [
  { key: "ob", label: "Order blocks", tag: "OB", type: "zone", bull: "#2979ff", bear: "#f23645", on: true, outline: true },
  { key: "breaker_block", label: "Breakers", tag: "BB", type: "zone", bull: "#26c6da", bear: "#ff9800", on: false, outline: true },
  { key: "fvg", label: "FVG", tag: "FVG", type: "zone", bull: "#26a69a", bear: "#e91e63", on: true, outline: false },
  { key: "inverse_fvg", label: "Inverse FVG", tag: "IFVG", type: "zone", bull: "#7e57c2", bear: "#ffb300", on: false, outline: false },
  { key: "bos", label: "BOS", tag: "BOS", type: "structure", bull: "#5c9dff", bear: "#ff6b74", on: true },
  { key: "choch", label: "CHoCH", tag: "CHoCH", type: "structure", bull: "#4dd0e1", bear: "#ffab40", on: true },
  { key: "liquidity", label: "Liquidity", tag: "", type: "liquidity", bull: "#ffd54f", bear: "#80deea", on: true },
  { key: "sweep", label: "Sweeps", tag: "", type: "sweep", bull: "#ffd54f", bear: "#80deea", on: true },
  { key: "swing", label: "Swings", tag: "", type: "swing", bull: "#b0bec5", bear: "#b0bec5", on: true },
  { key: "premium_discount", label: "Premium / discount", tag: "", type: "band", bull: "#ef5350", bear: "#26a69a", on: false },
  { key: "entry", label: "Entries", tag: "", type: "trade", bull: "#00e676", bear: "#ff4081", on: true },
  { key: "exit", label: "Exits", tag: "", type: "trade", bull: "#eeeeee", bear: "#eeeeee", on: true },
];
// What each layer shows, for the legend's tooltips.
const LAYER_HINTS = {
  ob: "Order blocks: the last opposite candle before a break. Filled until first touched (mitigated), dotted after, until a close through them",
  breaker_block: "Breaker blocks: order blocks price closed through, now facing the other way",
  fvg: "Fair value gaps: three-candle imbalances. Filled until first touched, dotted after, until a close through them",
  inverse_fvg: "Inverse FVGs: gaps price closed through, now facing the other way",
  bos: "Break of structure: a close beyond the last swing, with the trend (dashed: internal scope)",
  choch: "Change of character: a break against the trend (dashed: internal scope)",
  liquidity: "Equal highs (EQH) and equal lows (EQL): resting liquidity, drawn until taken",
  sweep: "Sweeps (×): a wick through liquidity that closed back",
  swing: "Swing highs and lows, labelled HH / LH / HL / LL (dots: internal swings, shown when zoomed in)",
  premium_discount: "Premium (upper half) and discount (lower half) of the current swing range",
  entry: "Backtest entries (◆ L long, S short) at the fill price, on the bar whose price filled them",
  exit: "Backtest exits (×) at the fill price",
};
const LAYER_BY_KIND = new Map(LAYERS.map((l) => [l.key, l]));
LAYER_BY_KIND.set("swing_high", LAYER_BY_KIND.get("swing"));
LAYER_BY_KIND.set("swing_low", LAYER_BY_KIND.get("swing"));

// The layer of a kind, creating one for a kind added after this page was
// written: it is drawn as a generic zone or marker rather than dropped.
function layerFor(kind) {
  let layer = LAYER_BY_KIND.get(kind);
  if (!layer) {
    const color = colorFor(String(kind));
    layer = { key: String(kind), label: humanize(kind), tag: humanize(kind), type: "generic", bull: color, bear: color, on: true, outline: true };
    LAYERS.push(layer);
    LAYER_BY_KIND.set(kind, layer);
  }
  return layer;
}

const LIFECYCLE_RANK = { formed: 0, mitigated: 1 };

// Fractional bar index of time `t`: k is the left edge of bar k, so the
// close of bar k (= the open of bar k + 1) maps to k + 1. A time in a gap of
// the data maps to the next bar; beyond either end it extrapolates.
function indexOfTime(times, dur, t) {
  const n = times.length;
  if (n === 0 || !Number.isFinite(t)) return 0;
  if (t <= times[0]) return (t - times[0]) / dur;
  const last = times[n - 1];
  if (t >= last) return n - 1 + (t - last) / dur;
  let lo = 0, hi = n - 1; // times[lo] < t <= times[hi]
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (times[mid] < t) lo = mid; else hi = mid;
  }
  return t < times[lo] + dur ? lo + (t - times[lo]) / dur : hi;
}

const num = (v) => (typeof v === "number" && Number.isFinite(v) ? v : null);

// Every object has the same fields, whatever it is, so that the draw loops
// see one object shape (much faster property access in JS engines).
// Positions are fractional bar indices: i0..i1 (i1 = Infinity while still
// active); markers have i0 = i1. `level` is a segment's price, a marker's
// price or a band's equilibrium.
function makeObject(type, layer, e) {
  return {
    type, layer, kind: e.kind, dir: e.direction >= 0 ? 1 : -1, scope: e.scope || null, id: e.id,
    i0: 0, i1: 0, iMit: null, top: 0, bottom: 0, level: 0, label: "", dash: null, small: false, shape: "", ended: null, history: [],
    note: typeof e.note === "string" ? e.note : "",
  };
}

// Objects sorted by first bar and grouped in buckets of BUCKET_BARS bars,
// each knowing the furthest end of its objects: a view visits only the
// buckets that reach into it, not every object of the frame.
const BUCKET_BARS = 256;
function spanIndex(list) {
  list.sort((a, b) => a.i0 - b.i0);
  const buckets = [];
  for (let k = 0; k < list.length;) {
    const key = Math.floor(list[k].i0 / BUCKET_BARS);
    const bucket = { first: key * BUCKET_BARS, from: k, to: k, maxEnd: -Infinity };
    for (; k < list.length && Math.floor(list[k].i0 / BUCKET_BARS) === key; k++) {
      if (list[k].i1 > bucket.maxEnd) bucket.maxEnd = list[k].i1;
    }
    bucket.to = k;
    buckets.push(bucket);
  }
  return buckets;
}

// Calls fn for each object of `group` ({list, index}) overlapping bars [a, b].
function eachVisible(group, a, b, fn) {
  const { list, index } = group;
  for (const bucket of index) {
    if (bucket.first > b) break;
    if (bucket.maxEnd < a) continue;
    for (let k = bucket.from; k < bucket.to; k++) {
      const o = list[k];
      if (o.i0 <= b && o.i1 >= a) fn(o);
    }
  }
}

// Builds the objects of one frame: {zones, segments, markers, bands} as
// indexed groups ({list, index, layers}), and the number per layer.
// `frame.times` holds the bars' open times (see prepareFrame).
function buildObjects(frame) {
  const { times, duration_ms: dur } = frame;
  const at = (t) => indexOfTime(times, dur, t);
  // Lifecycle order must not depend on how the events were sorted: by the
  // time each became known, `formed` before the rest at equal times.
  const events = frame.events
    .map((e, k) => ({ e, k }))
    .filter((x) => x.e && typeof x.e.kind === "string")
    .sort((a, b) => (a.e.known_at - b.e.known_at) || ((LIFECYCLE_RANK[a.e.event] ?? 2) - (LIFECYCLE_RANK[b.e.event] ?? 2)) || (a.k - b.k))
    .map((x) => x.e);
  const zones = [], segments = [], markers = [], bands = [], counts = new Map();
  const open = new Map(); // "kind:id" -> the object its next events update
  const lastSwing = new Map(); // "scope:direction" -> level, for HH/LH/HL/LL
  let band = null; // the premium/discount range in force
  const add = (list, obj) => { list.push(obj); counts.set(obj.layer.key, (counts.get(obj.layer.key) || 0) + 1); return obj; };
  const step = (obj, e) => obj.history.push({ event: e.event, time: e.time, known_at: e.known_at });

  for (const e of events) {
    const layer = layerFor(e.kind);
    const key = e.kind + ":" + e.id;
    const top = num(e.top), bottom = num(e.bottom), level = num(e.level);
    const formed = e.event === "formed";
    const type = layer.type === "generic" ? (top !== null && bottom !== null ? "zone" : "marker") : layer.type;
    let obj = open.get(key);

    if (type === "zone" || type === "liquidity") {
      if (formed || !obj) {
        if (type === "zone" ? top === null || bottom === null : level === null) continue;
        if (type === "zone") {
          obj = add(zones, makeObject("zone", layer, e));
          obj.top = Math.max(top, bottom);
          obj.bottom = Math.min(top, bottom);
          obj.i0 = at(formed ? e.time : e.origin_time ?? e.time);
        } else {
          // A pool spans from its first swing (the origin) to where it ends.
          obj = add(segments, makeObject("segment", layer, e));
          Object.assign(obj, { level, i0: at(e.origin_time ?? e.time) + 0.5, label: obj.dir > 0 ? "EQH" : "EQL", dash: [2, 3] });
        }
        obj.i1 = Infinity;
        open.set(key, obj);
      }
      step(obj, e);
      if (e.event === "mitigated") {
        if (obj.iMit === null) obj.iMit = at(e.time) + 0.5;
      } else if (!formed) {
        // Any end (broken, swept, invalidated, expired, or one added
        // later): a zone is drawn through the candle that ended it.
        obj.i1 = Math.max(obj.i0, type === "zone" ? at(e.known_at) : at(e.time) + 0.5);
        obj.ended = e.event;
        open.delete(key);
      }
    } else if (type === "structure") {
      if (level === null) continue;
      const internal = e.scope === "internal";
      obj = add(segments, makeObject("segment", layer, e));
      Object.assign(obj, { level, i0: at(e.origin_time ?? e.time) + 0.5, i1: at(e.time) + 0.5, label: layer.tag, dash: internal ? [4, 3] : null, small: internal });
      step(obj, e);
    } else if (type === "swing") {
      if (level === null) continue;
      obj = add(markers, makeObject("marker", layer, e));
      const side = `${e.scope}:${obj.dir}`, prev = lastSwing.get(side);
      lastSwing.set(side, level);
      if (e.scope !== "internal" && prev !== undefined) {
        obj.label = obj.dir > 0 ? (level > prev ? "HH" : "LH") : (level < prev ? "LL" : "HL");
      }
      Object.assign(obj, { level, i0: at(e.time) + 0.5, shape: e.scope === "internal" ? "dot" : "triangle", small: e.scope === "internal" });
      obj.i1 = obj.i0;
      step(obj, e);
    } else if (type === "trade") {
      // A fill of a backtest trade, placed inside the bar whose price filled it.
      if (level === null) continue;
      obj = add(markers, makeObject("marker", layer, e));
      const entry = e.kind === "entry";
      Object.assign(obj, { level, i0: at(e.time) + 0.5, shape: entry ? "diamond" : "cross", label: entry ? (obj.dir > 0 ? "L" : "S") : "" });
      obj.i1 = obj.i0;
      step(obj, e);
    } else if (type === "sweep" || type === "marker") {
      obj = add(markers, makeObject("marker", layer, e));
      Object.assign(obj, { level: level ?? top ?? bottom, i0: at(e.time) + 0.5, shape: type === "sweep" ? "cross" : "diamond", label: type === "sweep" ? "" : layer.tag });
      obj.i1 = obj.i0;
      step(obj, e);
    } else if (type === "band") {
      if (top === null || bottom === null) continue;
      // Each range holds from when it became known until the next one.
      const i0 = at(e.known_at);
      if (band) band.i1 = i0;
      band = add(bands, makeObject("band", layer, e));
      Object.assign(band, { top: Math.max(top, bottom), bottom: Math.min(top, bottom), level: level ?? (top + bottom) / 2, i0, i1: Infinity });
      step(band, e);
    }
  }
  const group = (list) => ({ list, index: spanIndex(list), layers: [...new Set(list.map((o) => o.layer.key))] });
  return { zones: group(zones), segments: group(segments), markers: group(markers), bands: group(bands), counts };
}

// One line describing an object for the hover readout, e.g. "Bullish OB
// (internal) 35870.1–35912.4 · formed 2024-05-06 22:10 · mitigated 22:31".
function describe(obj, decimals, dur) {
  if (obj.layer.type === "trade") {
    const what = (obj.dir > 0 ? "Long " : "Short ") + (obj.kind === "entry" ? "entry" : "exit");
    return [what, formatPrice(obj.level, decimals), formatTime(obj.history[0]?.time, dur), obj.note].filter(Boolean).join(" · ");
  }
  const side = obj.layer.type === "liquidity" || obj.layer.type === "sweep"
    ? (obj.dir > 0 ? "Buy-side" : "Sell-side")
    : obj.layer.type === "swing" ? "" : obj.dir > 0 ? "Bullish" : "Bearish";
  const name = obj.layer.type === "liquidity" ? "liquidity (" + obj.label + ")"
    : obj.layer.type === "swing" ? (obj.dir > 0 ? "Swing high" : "Swing low") + (obj.label ? " " + obj.label : "")
    : obj.layer.type === "band" ? "premium / discount range"
    : obj.layer.type === "sweep" ? "sweep"
    : obj.layer.tag || obj.layer.label;
  const scope = obj.scope ? ` (${obj.scope})` : "";
  const price = obj.type === "zone" || obj.type === "band"
    ? `${formatPrice(obj.bottom, decimals)}–${formatPrice(obj.top, decimals)}`
    : formatPrice(obj.level, decimals);
  // An object is often drawn from an earlier candle than the one whose
  // close revealed it: say when it became known.
  const steps = obj.history.map((h) => `${h.event} ${formatTime(h.time, dur)}`
    + (h.event === "formed" && h.known_at > h.time + dur ? ` (known ${formatTime(h.known_at, dur)})` : ""));
  if (obj.type !== "marker" && obj.type !== "band" && obj.layer.type !== "structure" && !obj.ended) steps.push("active");
  return [`${side} ${name}${scope}`.trim(), price, ...steps].join(" · ");
}

// Whether the layer toggles let an object be drawn.
function shown(obj, on) {
  return on[obj.layer.key] !== false && (on.internal || obj.scope !== "internal") && (on.history || !obj.ended);
}

// Whether any layer of a group of objects is on (else the group is skipped).
const anyOn = (group, on) => group.layers.some((key) => on[key] !== false);

// Objects under the pointer (CSS px), markers and levels before zones, for
// the readout.
function hitTest(state, geom, mx, my) {
  const f = state.frame, on = state.on, { start, span } = state.view;
  if (!f || !geom.plotW) return [];
  const i = start + (mx / geom.plotW) * span;
  const price = geom.hi - (my / geom.plotH) * (geom.hi - geom.lo);
  const perPx = (geom.hi - geom.lo) / geom.plotH, near = Math.max(0.5, 6 * (span / geom.plotW));
  const hits = [];
  eachVisible(f.objects.markers, i - near, i + near, (m) => {
    const level = m.level !== null ? m.level : f.h[clampIndex(f, m.i0)];
    if (shown(m, on) && Math.abs(level - price) <= 14 * perPx) hits.push(m);
  });
  eachVisible(f.objects.segments, i - 0.5, i + 0.5, (s) => {
    if (shown(s, on) && Math.abs(s.level - price) <= 4 * perPx) hits.push(s);
  });
  for (const group of [f.objects.zones, f.objects.bands]) {
    eachVisible(group, i, i, (z) => {
      if (shown(z, on) && price >= z.bottom && price <= z.top) hits.push(z);
    });
  }
  return hits;
}

// The bar at fractional index i, clamped to the frame.
const clampIndex = (f, i) => Math.min(f.n - 1, Math.max(0, Math.floor(i)));
