// Chart helpers: the palette, UTC time and price formatting, and the "nice"
// tick steps of the axes. Shared by the object builder, the renderer and the
// page script (all inlined into one function scope by smc-report).

const MINUTE = 60e3, HOUR = 3600e3, DAY = 86400e3;
const MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAY_NAMES = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

const THEME = {
  bg: "#0e1117",
  grid: "rgba(138, 147, 163, 0.09)",
  axisBg: "#0e1117",
  axisLine: "#262d3a",
  axisText: "#8a93a3",
  axisTextStrong: "#c3c8d2",
  text: "#d1d4dc",
  crosshair: "rgba(200, 205, 215, 0.55)",
  labelBg: "#363c4e",
  up: "#26a69a",
  down: "#ef5350",
  volumeUp: "rgba(38, 166, 154, 0.24)",
  volumeDown: "rgba(239, 83, 80, 0.24)",
  font: '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif',
  mono: 'ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace',
};

const pad2 = (n) => (n < 10 ? "0" : "") + n;

// "2024-03-12 14:35" (UTC); the time is left out for daily and longer bars.
function formatTime(t, durationMs) {
  const d = new Date(t);
  const date = `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
  return durationMs >= DAY ? date : `${date} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
}

// The crosshair's time label, e.g. "Tue 12 Mar '24 14:35".
function formatCrosshairTime(t, durationMs) {
  const d = new Date(t);
  const day = `${DAY_NAMES[d.getUTCDay()]} ${d.getUTCDate()} ${MONTH_NAMES[d.getUTCMonth()]} '${pad2(d.getUTCFullYear() % 100)}`;
  return durationMs >= DAY ? day : `${day}  ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
}

// Decimal places the prices are quoted with: the most any of a sample of
// closes needs (shortest round-trip form), capped at 8 so float noise
// (0.30000000000000004) cannot blow it up.
function priceDecimals(closes) {
  let best = 0;
  const stride = Math.max(1, Math.floor(closes.length / 500));
  for (let i = 0; i < closes.length; i += stride) {
    const s = String(closes[i]);
    if (s.includes("e")) return 8;
    const dot = s.indexOf(".");
    if (dot >= 0) best = Math.max(best, Math.min(8, s.length - dot - 1));
  }
  return best;
}

function formatPrice(p, decimals) {
  return Number.isFinite(p) ? p.toFixed(decimals) : "—";
}

function formatVolume(v) {
  if (!Number.isFinite(v)) return "—";
  const a = Math.abs(v);
  if (a >= 1e9) return (v / 1e9).toFixed(2) + "B";
  if (a >= 1e6) return (v / 1e6).toFixed(2) + "M";
  if (a >= 1e4) return (v / 1e3).toFixed(1) + "K";
  return a >= 100 ? v.toFixed(0) : v.toFixed(a >= 1 ? 2 : 4);
}

function formatCount(n) {
  return n.toLocaleString("en-US");
}

// The smallest step of the form {1, 2, 2.5, 5} × 10^k that is at least `raw`.
function niceStep(raw) {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * mag >= raw * (1 - 1e-9)) return m * mag;
  return 10 * mag;
}

// Decimals needed to print multiples of `step` exactly (2.5e-3 needs 4).
function stepDecimals(step) {
  for (let d = 0; d < 10; d++) {
    if (Math.abs(Math.round(step * 10 ** d) - step * 10 ** d) < 1e-6) return d;
  }
  return 10;
}

// Time-axis intervals: fixed ones in ms, then calendar months and years
// (`months`), which need the calendar because their lengths vary.
const TIME_STEPS = [
  MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE,
  HOUR, 2 * HOUR, 3 * HOUR, 4 * HOUR, 6 * HOUR, 12 * HOUR,
  DAY, 2 * DAY, 7 * DAY, 14 * DAY,
].map((ms) => ({ ms })).concat([1, 3, 6, 12, 24, 60].map((months) => ({ months, ms: months * 30.44 * DAY })));

// Key of the interval a time falls in: a tick goes where the key changes.
// Weeks are anchored on Mondays (the epoch was a Thursday).
function timeKey(t, step) {
  if (!step.months) return Math.floor((step.ms === 7 * DAY || step.ms === 14 * DAY ? t - 4 * DAY : t) / step.ms);
  const d = new Date(t);
  return Math.floor((d.getUTCFullYear() * 12 + d.getUTCMonth()) / step.months);
}

// A tick label, and whether it marks a larger unit (a new day, month or
// year), which is drawn brighter.
function timeTickLabel(t, step) {
  const d = new Date(t);
  const newYear = d.getUTCMonth() === 0 && d.getUTCDate() === 1 && d.getUTCHours() === 0 && d.getUTCMinutes() === 0;
  if (newYear) return { text: String(d.getUTCFullYear()), strong: true };
  if (step.months) return { text: MONTH_NAMES[d.getUTCMonth()], strong: false };
  const newMonth = d.getUTCDate() === 1 && d.getUTCHours() === 0 && d.getUTCMinutes() === 0;
  if (newMonth) return { text: MONTH_NAMES[d.getUTCMonth()], strong: true };
  const newDay = d.getUTCHours() === 0 && d.getUTCMinutes() === 0;
  if (step.ms >= DAY || newDay) return { text: `${d.getUTCDate()} ${MONTH_NAMES[d.getUTCMonth()]}`, strong: step.ms < DAY };
  return { text: `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`, strong: false };
}

// "#26a69a" + alpha → "rgba(38, 166, 154, a)". Cached: the draw loops ask
// for the same few colours thousands of times per frame.
const rgbaCache = new Map();
function rgba(hex, alpha) {
  const key = hex + alpha;
  let color = rgbaCache.get(key);
  if (color === undefined) {
    const n = parseInt(hex.slice(1), 16);
    color = `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
    rgbaCache.set(key, color);
  }
  return color;
}

// A stable colour for a kind this page does not know yet.
function colorFor(name) {
  const palette = ["#b39ddb", "#80cbc4", "#ffcc80", "#f48fb1", "#90caf9", "#c5e1a5", "#ffab91", "#e6ee9c"];
  let h = 0;
  for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return palette[h % palette.length];
}

// "inverse_fvg" → "Inverse fvg": a readable name for an unknown kind.
function humanize(name) {
  const s = String(name).replace(/_/g, " ");
  return s.charAt(0).toUpperCase() + s.slice(1);
}
