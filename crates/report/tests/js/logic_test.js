// Unit checks of the chart's pure logic (assets/chart/format.js and
// objects.js), run by tests/js_logic.rs under Node with those files
// prepended. Throws on the first failure; prints "ok <count>" otherwise.

let checks = 0;
function eq(actual, expected, what) {
  checks++;
  const a = JSON.stringify(actual), e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: got ${a}, expected ${e}`);
}

// Ticks and formatting.
eq([0.37, 3, 7, 0.0021, 40].map(niceStep), [0.5, 5, 10, 0.0025, 50], "niceStep");
eq([1, 0.5, 0.25, 0.0025, 50].map(stepDecimals), [0, 1, 2, 4, 0], "stepDecimals");
eq(priceDecimals([43250, 43250.5, 43251.25]), 2, "priceDecimals");
eq(priceDecimals([0.1 + 0.2]), 8, "priceDecimals caps float noise");
eq(timeTickLabel(Date.UTC(2024, 0, 1), TIME_STEPS[0]).text, "2024", "a new year is labelled by its year");
eq(timeTickLabel(Date.UTC(2024, 2, 1), TIME_STEPS[0]).text, "Mar", "a new month by its name");
eq(timeTickLabel(Date.UTC(2024, 2, 12, 14, 30), TIME_STEPS[0]).text, "14:30", "an intraday tick by its time");
eq(formatTime(Date.UTC(2024, 2, 12, 14, 5), 60e3), "2024-03-12 14:05", "formatTime intraday, UTC");
eq(formatTime(Date.UTC(2024, 2, 12), DAY), "2024-03-12", "formatTime daily");

// Bars at 0, 1, 2, 3 min, then a gap, then 10 min (index 4).
const M = 60e3;
const times = Float64Array.from([0, 1, 2, 3, 10].map((m) => m * M));
eq(indexOfTime(times, M, 2 * M), 2, "an open time is its bar's left edge");
eq(indexOfTime(times, M, 2.5 * M), 2.5, "inside a bar");
eq(indexOfTime(times, M, 4 * M), 4, "the close of bar 3 (a gap follows) is bar 4's left edge");
eq(indexOfTime(times, M, 7 * M), 4, "a time in the gap maps to the next bar");
eq(indexOfTime(times, M, 12 * M), 6, "beyond the last bar it extrapolates");
eq(indexOfTime(times, M, -2 * M), -2, "before the first bar it extrapolates");

// A frame of 6 one-minute bars; events deliberately out of order.
const t = (i) => i * M;
const ev = (kind, event, direction, time, known_at, extra = {}) => ({ timeframe: "1m", kind, event, direction, time, known_at, ...extra });
const frame = {
  times: Float64Array.from([0, 1, 2, 3, 4, 5].map(t)),
  duration_ms: M,
  events: [
    ev("ob", "invalidated", 1, t(4), t(5), { id: 1, top: 10, bottom: 9, origin_time: t(1) }),
    ev("ob", "mitigated", 1, t(3), t(4), { id: 1, top: 10, bottom: 9, origin_time: t(1) }),
    ev("ob", "formed", 1, t(1), t(3), { id: 1, top: 10, bottom: 9, scope: "swing" }),
    ev("fvg", "formed", -1, t(2), t(3), { id: 2, top: 12, bottom: 11 }),
    ev("fvg", "retested", -1, t(4), t(5), { id: 2, top: 12, bottom: 11 }), // a lifecycle added later
    ev("liquidity", "formed", 1, t(2), t(3), { id: 3, level: 15, origin_time: t(0) }),
    ev("liquidity", "swept", 1, t(4), t(5), { id: 3, level: 15, origin_time: t(2) }),
    ev("sweep", "formed", 1, t(4), t(5), { id: 3, level: 15 }),
    ev("bos", "formed", 1, t(3), t(4), { id: 4, level: 14, origin_time: t(0), scope: "internal" }),
    ev("swing_high", "formed", 1, t(1), t(2), { id: 5, level: 16, scope: "swing" }),
    ev("swing_high", "formed", 1, t(3), t(4), { id: 6, level: 15, scope: "swing" }),
    ev("premium_discount", "formed", 1, t(1), t(2), { id: 7, top: 16, bottom: 8, level: 12 }),
    ev("premium_discount", "formed", -1, t(3), t(4), { id: 8, top: 16, bottom: 7, level: 11.5 }),
    ev("order_flow", "formed", 1, t(2), t(3), { id: 9, top: 13, bottom: 12.5, new_field: [1] }),
    ev("session_open", "formed", -1, t(5), t(6), { id: 10 }),
    ev("fvg", "formed", 1, t(5), t(6), { id: 11 }), // no prices: skipped, not drawn at 0
  ],
};
const o = buildObjects(frame);
const pick = (x, keys) => Object.fromEntries(keys.map((k) => [k, x[k]]));
const ob = o.zones.list.find((z) => z.kind === "ob");
eq(pick(ob, ["i0", "iMit", "i1", "ended", "top", "bottom", "dir", "scope"]),
  { i0: 1, iMit: 3.5, i1: 5, ended: "invalidated", top: 10, bottom: 9, dir: 1, scope: "swing" },
  "an order block spans its candle to the close of the candle that invalidated it");
const gap = o.zones.list.find((z) => z.kind === "fvg");
eq(pick(gap, ["i0", "iMit", "i1", "ended", "dir"]), { i0: 2, iMit: null, i1: 5, ended: "retested", dir: -1 }, "an unknown lifecycle ends a zone");
const pool = o.segments.list.find((s) => s.kind === "liquidity");
eq(pick(pool, ["i0", "i1", "level", "label", "ended"]), { i0: 0.5, i1: 4.5, level: 15, label: "EQH", ended: "swept" }, "a pool spans its first swing to the sweep");
const bos = o.segments.list.find((s) => s.kind === "bos");
eq(pick(bos, ["i0", "i1", "level", "small", "label"]), { i0: 0.5, i1: 3.5, level: 14, small: true, label: "BOS" }, "a break runs from the swing to the breaking candle");
const swings = o.markers.list.filter((m) => m.kind === "swing_high").map((m) => [m.i0, m.label]);
eq(swings, [[1.5, ""], [3.5, "LH"]], "swings are labelled against the previous one");
eq(o.markers.list.find((m) => m.kind === "sweep").shape, "cross", "a sweep is a cross");
eq(o.bands.list.map((b) => [b.i0, b.i1]), [[2, 4], [4, null]].map(([a, b]) => [a, b === null ? Infinity : b]), "a range holds until the next one");
const flow = o.zones.list.find((z) => z.kind === "order_flow");
eq([flow.layer.label, flow.layer.type, flow.i0, flow.i1], ["Order flow", "generic", 2, Infinity], "an unknown kind with prices is a generic zone");
const session = o.markers.list.find((m) => m.kind === "session_open");
eq([session.shape, session.level], ["diamond", null], "an unknown kind without prices is a marker above its candle");
eq(o.zones.list.length, 3, "an event without its prices is skipped");
eq(o.counts.get("ob"), 1, "one object per lifecycle, not per event");

// Only objects overlapping the view are visited.
const seen = [];
eachVisible(o.zones, 0, 1.5, (z) => seen.push(z.kind));
eq(seen.sort(), ["ob"], "eachVisible");

console.log("ok " + checks);
