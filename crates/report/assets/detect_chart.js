// The detection chart page: reads the embedded data, builds the timeframe
// switch and the layer legend, and turns pointer, wheel, touch and keyboard
// input into view changes that renderChart draws. For automated checks it
// records on <body> what it drew (data-ready, data-candles, data-zones, …)
// and, with #selftest in the URL, exercises every timeframe and gesture and
// writes the results into <pre id="selftest">.

const body = document.body;
const canvas = document.getElementById("chart");
const message = document.getElementById("message");
let errorCount = 0;
body.dataset.errors = "0";

function reportError(text) {
  errorCount++;
  body.dataset.errors = String(errorCount);
  message.hidden = false;
  message.className = "error";
  message.textContent = "Chart error: " + text;
}
window.addEventListener("error", (e) => reportError(e.message || String(e.error)));
window.addEventListener("unhandledrejection", (e) => reportError(String(e.reason)));

const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const clamp = (x, a, b) => Math.min(Math.max(x, a), b);

// Typed-array columns, block extremes for fast autoscale, and the objects.
function prepareFrame(raw) {
  const n = raw.bars.length, dur = raw.duration_ms;
  const cols = ["times", "o", "h", "l", "c", "v"].map(() => new Float64Array(n));
  const [times, o, h, l, c, v] = cols;
  // JSON has no NaN: serde writes a non-finite price as null.
  const val = (x) => (typeof x === "number" ? x : NaN);
  let minPrice = Infinity, maxPrice = -Infinity;
  for (let i = 0; i < n; i++) {
    const b = raw.bars[i];
    times[i] = b[0]; o[i] = val(b[1]); h[i] = val(b[2]); l[i] = val(b[3]); c[i] = val(b[4]); v[i] = val(b[5]) || 0;
    if (h[i] > maxPrice) maxPrice = h[i];
    if (l[i] < minPrice) minPrice = l[i];
  }
  const blocks = Math.ceil(n / BLOCK);
  const blockHigh = new Float64Array(blocks).fill(-Infinity), blockLow = new Float64Array(blocks).fill(Infinity);
  const blockVol = new Float64Array(blocks);
  for (let i = 0; i < n; i++) {
    const b = (i / BLOCK) | 0;
    if (h[i] > blockHigh[b]) blockHigh[b] = h[i];
    if (l[i] < blockLow[b]) blockLow[b] = l[i];
    if (v[i] > blockVol[b]) blockVol[b] = v[i];
  }
  const frame = {
    timeframe: raw.timeframe, duration_ms: dur, events: raw.events || [], n, times, o, h, l, c, v,
    blockHigh, blockLow, blockVol, decimals: priceDecimals(c),
    minPrice: Number.isFinite(minPrice) ? minPrice : 0, maxPrice: Number.isFinite(maxPrice) ? maxPrice : 1,
    // Open time of bar i, extrapolated beyond the data (for the axis).
    timeAt: (i) => (n === 0 ? 0 : i < 0 ? times[0] + i * dur : i >= n ? times[n - 1] + (i - n + 1) * dur : times[i]),
  };
  frame.objects = buildObjects(frame);
  return frame;
}

let data;
try {
  data = JSON.parse(document.getElementById("data").textContent);
} catch (e) {
  data = { title: "", frames: [] };
  reportError("cannot read the chart data: " + e.message);
}
const rawFrames = Array.isArray(data.frames) ? data.frames : [];
// Register the layers of every kind on the page before the legend is built.
for (const f of rawFrames) for (const e of f.events || []) if (e && typeof e.kind === "string") layerFor(e.kind);

const prepared = new Map();
const state = { index: -1, frame: null, view: { start: 0, span: 100 }, price: null, mouse: null, on: {} };
for (const l of LAYERS) state.on[l.key] = l.on;
Object.assign(state.on, { internal: true, history: true, volume: true });
const ctx = canvas.getContext("2d", { alpha: false });
let geom = { plotW: 1, plotH: 1, lo: 0, hi: 1, stats: {} };

const maxSpan = (n) => Math.max(n * 1.1 + 20, 40);
function clampView() {
  const n = state.frame ? state.frame.n : 0, v = state.view;
  v.span = clamp(v.span, Math.min(8, Math.max(n, 1)), maxSpan(n));
  // Keep at least a fifth of the plot on data.
  v.start = clamp(v.start, -v.span * 0.8, n - v.span * 0.2);
}

// A hand-set price range, kept within sane bounds of the data's scale.
function setPrice(mid, half) {
  const scale = Math.max(Math.abs(mid), state.frame.maxPrice - state.frame.minPrice, 1e-12);
  half = clamp(half, scale * 1e-7, scale * 1e3);
  state.price = { lo: mid - half, hi: mid + half };
}

// The latest bars at about 8 CSS px per bar (TradingView's default
// spacing), so phones get fewer bars rather than hairline candles.
function latestView() {
  const n = state.frame.n, plotW = Math.max(100, canvas.clientWidth - 70);
  const span = Math.min(clamp(Math.round(plotW / 8), 30, 240), maxSpan(n)), margin = Math.round(span * 0.04) + 1;
  state.view = { start: n + margin - span, span };
  state.price = null;
}

function selectFrame(k) {
  if (k < 0 || k >= rawFrames.length || k === state.index) return;
  if (!prepared.has(k)) prepared.set(k, prepareFrame(rawFrames[k]));
  const prev = state.frame, next = prepared.get(k);
  const atLatest = prev && state.view.start + state.view.span >= prev.n;
  state.index = k;
  state.frame = next;
  if (!prev || atLatest || next.n === 0) latestView();
  else {
    // Stay at the same moment with the same bar spacing on the new frame.
    const centre = prev.timeAt(Math.floor(state.view.start + state.view.span / 2));
    const i = indexOfTime(next.times, next.duration_ms, centre);
    state.view = { start: i - state.view.span / 2, span: state.view.span };
    state.price = null;
  }
  clampView();
  document.querySelectorAll("#timeframes button").forEach((b, j) => {
    b.classList.toggle("active", j === k);
    b.setAttribute("aria-pressed", String(j === k));
  });
  updateLegendCounts();
  const stats = document.getElementById("stats");
  stats.textContent = `${formatCount(next.n)} bars · ${formatCount(next.events.length)} events`
    + (data.unplaced_events ? ` · ${formatCount(data.unplaced_events)} on timeframes without candles` : "");
  body.dataset.frame = next.timeframe;
  try { history.replaceState(null, "", "#tf=" + encodeURIComponent(next.timeframe)); } catch (_) { /* file: URLs may refuse */ }
  draw();
}

function draw() {
  if (!state.frame) {
    ctx.fillStyle = THEME.bg;
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    message.hidden = false;
    message.textContent = "No candles to show.";
  } else {
    geom = renderChart(canvas, ctx, state);
    if (state.frame.n === 0) { message.hidden = false; message.textContent = `No ${state.frame.timeframe} candles.`; }
    else if (!errorCount) message.hidden = true;
    updateReadout();
  }
  const s = geom.stats || {};
  Object.assign(body.dataset, {
    ready: "1", candles: String(s.candles || 0), zones: String(s.zones || 0), segments: String(s.segments || 0),
    markers: String(s.markers || 0), bands: String(s.bands || 0), drawMs: (s.ms || 0).toFixed(1),
  });
}

let pending = 0;
function requestDraw() {
  if (!pending) pending = requestAnimationFrame(() => { pending = 0; draw(); });
}

// Top-left readout: OHLC of the bar under the cursor (else the last bar),
// and what the cursor is on.
function updateReadout() {
  const f = state.frame, el = document.getElementById("ohlc"), hover = document.getElementById("hover");
  if (!f.n) { el.textContent = ""; hover.textContent = ""; return; }
  const i = state.mouse && geom.cursorIndex !== undefined ? clamp(geom.cursorIndex, 0, f.n - 1) : f.n - 1;
  const d = f.decimals, o = f.o[i], c = f.c[i], prev = i > 0 ? f.c[i - 1] : o;
  const cls = c >= o ? "up" : "down", chg = c - prev, pct = prev ? (chg / prev) * 100 : 0;
  const v = (label, x) => `<span class="v">${label} <span class="${cls}">${x}</span></span>`;
  el.innerHTML = `<b>${escapeHtml(f.timeframe)}</b><span class="v">${escapeHtml(formatTime(f.times[i], f.duration_ms))}</span>`
    + v("O", formatPrice(o, d)) + v("H", formatPrice(f.h[i], d)) + v("L", formatPrice(f.l[i], d)) + v("C", formatPrice(c, d))
    + `<span class="v ${chg >= 0 ? "up" : "down"}">${chg >= 0 ? "+" : ""}${formatPrice(chg, d)} (${pct >= 0 ? "+" : ""}${pct.toFixed(2)}%)</span>`
    + v("Vol", formatVolume(f.v[i]));
  hover.textContent = "";
  if (!state.mouse || geom.cursorIndex === undefined) return;
  for (const obj of hitTest(state, geom, state.mouse.x, state.mouse.y).slice(0, 4)) {
    const line = document.createElement("div");
    line.textContent = describe(obj, d, f.duration_ms);
    line.style.color = obj.dir > 0 ? obj.layer.bull : obj.layer.bear;
    hover.appendChild(line);
  }
}

// Timeframe buttons and the legend.
const nav = document.getElementById("timeframes");
rawFrames.forEach((f, k) => {
  const b = document.createElement("button");
  b.innerHTML = `${escapeHtml(f.timeframe)}<small>${formatCount(f.bars.length)}</small>`;
  b.title = `${f.timeframe}: ${formatCount(f.bars.length)} candles, ${formatCount((f.events || []).length)} events (key ${k + 1})`;
  b.addEventListener("click", () => selectFrame(k));
  nav.appendChild(b);
});

const legend = document.getElementById("legend");
const legendCounts = new Map();
function toggle(key, label, swatch, hint) {
  const b = document.createElement("button");
  if (hint) b.title = hint;
  b.setAttribute("aria-pressed", String(state.on[key]));
  b.innerHTML = (swatch ? `<span class="swatch" style="background:${swatch}"></span>` : "")
    + `<span class="label">${escapeHtml(label)}</span>` + (swatch ? `<span class="count"></span>` : "");
  b.addEventListener("click", () => {
    state.on[key] = !state.on[key];
    b.setAttribute("aria-pressed", String(state.on[key]));
    draw();
  });
  legend.appendChild(b);
  if (swatch) legendCounts.set(key, b.querySelector(".count"));
}
const seen = new Set(rawFrames.flatMap((f) => (f.events || []).filter((e) => e && typeof e.kind === "string").map((e) => layerFor(e.kind).key)));
for (const l of LAYERS) {
  if (!seen.has(l.key) && l.type === "generic") continue;
  const swatch = l.bull === l.bear ? l.bull : `linear-gradient(135deg, ${l.bull} 50%, ${l.bear} 50%)`;
  toggle(l.key, l.label, swatch, LAYER_HINTS[l.key] || `${l.label}: a kind this page draws generically`);
}
legend.appendChild(Object.assign(document.createElement("span"), { className: "sep" }));
toggle("internal", "Internal scope", null, "Objects of the internal (short-swing) structure: dashed breaks, dots, iOB");
toggle("history", "Ended objects", null, "Zones and levels after they were invalidated, swept, broken or expired");
toggle("volume", "Volume", null, "Volume bars at the bottom of the chart");
const reset = document.createElement("button");
reset.textContent = "Reset view";
reset.title = "Latest bars, price auto-fit (End)";
reset.addEventListener("click", () => { latestView(); draw(); });
legend.appendChild(reset);

function updateLegendCounts() {
  for (const [key, el] of legendCounts) el.textContent = formatCount(state.frame.objects.counts.get(key) || 0);
}

// Pointer input: drag pans the plot, stretches the price axis or the time
// axis; two touches pinch-zoom. Pointer capture keeps a drag alive outside
// the canvas.
const pointers = new Map();
let gesture = null;
const local = (e) => { const r = canvas.getBoundingClientRect(); return { x: e.clientX - r.left, y: e.clientY - r.top }; };

function zoomAt(x, factor) {
  const v = state.view, frac = clamp(x / geom.plotW, 0, 1), anchor = v.start + frac * v.span;
  v.span *= factor;
  clampView();
  v.start = anchor - frac * v.span;
  clampView();
}

function beginGesture(p, touch) {
  const mode = p.x > geom.plotW ? "price" : p.y > geom.plotH ? "time" : "pan";
  gesture = { mode, x: p.x, y: p.y, start: state.view.start, span: state.view.span, lo: geom.lo, hi: geom.hi, manual: !!state.price, moved: false, touch };
  canvas.classList.toggle("ns-resize", mode === "price");
  canvas.classList.toggle("ew-resize", mode === "time");
  canvas.classList.toggle("grabbing", mode === "pan");
}

canvas.addEventListener("pointerdown", (e) => {
  if (e.button > 0 || !state.frame) return;
  const p = local(e);
  pointers.set(e.pointerId, p);
  try { canvas.setPointerCapture(e.pointerId); } catch (_) { /* synthetic pointers cannot be captured */ }
  if (pointers.size === 2) {
    const [a, b] = [...pointers.values()], mid = (a.x + b.x) / 2;
    gesture = { mode: "pinch", dist: Math.max(10, Math.abs(a.x - b.x)), span: state.view.span, anchor: state.view.start + (mid / geom.plotW) * state.view.span };
  } else if (pointers.size === 1) beginGesture(p, e.pointerType === "touch");
});

canvas.addEventListener("pointermove", (e) => {
  const p = local(e);
  if (pointers.has(e.pointerId)) pointers.set(e.pointerId, p);
  if (e.pointerType !== "touch") state.mouse = p;
  const g = gesture, v = state.view;
  if (g && g.mode === "pinch" && pointers.size === 2) {
    const [a, b] = [...pointers.values()], mid = (a.x + b.x) / 2;
    v.span = g.span * (g.dist / Math.max(10, Math.abs(a.x - b.x)));
    clampView();
    v.start = g.anchor - (mid / geom.plotW) * v.span;
    clampView();
  } else if (g && pointers.has(e.pointerId)) {
    const dx = p.x - g.x, dy = p.y - g.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) g.moved = true;
    if (g.mode === "pan") {
      v.start = g.start - (dx / geom.plotW) * g.span;
      if (g.manual) { const shift = (dy / geom.plotH) * (g.hi - g.lo); state.price = { lo: g.lo + shift, hi: g.hi + shift }; }
    } else if (g.mode === "price") {
      // Down compresses the candles, up stretches them (as in TradingView).
      setPrice((g.hi + g.lo) / 2, ((g.hi - g.lo) / 2) * Math.exp(dy * 0.006));
    } else if (g.mode === "time") {
      // Stretches around the right edge, which stays put.
      v.span = g.span * Math.exp(-dx * 0.006);
      clampView();
      v.start = g.start + g.span - v.span;
    }
    clampView();
  }
  requestDraw();
});

function endPointer(e) {
  const p = local(e);
  pointers.delete(e.pointerId);
  if (gesture && gesture.touch && !gesture.moved && gesture.mode === "pan") state.mouse = p; // a tap shows the crosshair
  if (pointers.size === 1 && gesture && gesture.mode === "pinch") beginGesture([...pointers.values()][0], true);
  else if (pointers.size === 0) gesture = null;
  canvas.classList.remove("grabbing", "ns-resize", "ew-resize");
  requestDraw();
}
canvas.addEventListener("pointerup", endPointer);
canvas.addEventListener("pointercancel", endPointer);
canvas.addEventListener("pointerleave", (e) => {
  if (e.pointerType !== "touch" && !pointers.size) { state.mouse = null; requestDraw(); }
});

canvas.addEventListener("wheel", (e) => {
  if (!state.frame) return;
  e.preventDefault();
  const p = local(e), scale = e.deltaMode === 1 ? 33 : e.deltaMode === 2 ? 400 : 1;
  const dx = e.deltaX * scale, dy = e.deltaY * scale;
  if (Math.abs(dx) > Math.abs(dy) && !e.ctrlKey) {
    state.view.start += (dx / geom.plotW) * state.view.span; // trackpad swipe
    clampView();
  } else if (p.x > geom.plotW) {
    setPrice((geom.hi + geom.lo) / 2, ((geom.hi - geom.lo) / 2) * Math.exp(dy * 0.0015));
  } else zoomAt(p.x, Math.exp(dy * 0.0015));
  requestDraw();
}, { passive: false });

canvas.addEventListener("dblclick", (e) => {
  const p = local(e);
  if (p.y > geom.plotH && p.x < geom.plotW) latestView(); else state.price = null;
  draw();
});

window.addEventListener("keydown", (e) => {
  if (!state.frame || e.ctrlKey || e.metaKey || e.altKey) return;
  const v = state.view;
  const keys = {
    ArrowLeft: () => { v.start -= v.span * 0.1; }, ArrowRight: () => { v.start += v.span * 0.1; },
    ArrowUp: () => zoomAt(geom.plotW / 2, 0.8), "+": () => zoomAt(geom.plotW / 2, 0.8), "=": () => zoomAt(geom.plotW / 2, 0.8),
    ArrowDown: () => zoomAt(geom.plotW / 2, 1.25), "-": () => zoomAt(geom.plotW / 2, 1.25),
    Home: () => { v.start = -v.span * 0.05; }, End: () => latestView(),
  };
  if (keys[e.key]) { keys[e.key](); clampView(); e.preventDefault(); requestDraw(); }
  else if (/^[1-9]$/.test(e.key)) selectFrame(Number(e.key) - 1);
});

if (typeof ResizeObserver === "function") new ResizeObserver(() => requestDraw()).observe(canvas);
else window.addEventListener("resize", requestDraw);

// Start: the timeframe named in the URL (#tf=1h), else the first. For
// links and screenshots, #bars=N (or all) sets how many bars are shown and
// #mouse=x,y places the crosshair (CSS px).
try {
  const params = new URLSearchParams(location.hash.slice(1));
  const wanted = rawFrames.findIndex((f) => f.timeframe === params.get("tf"));
  const [mx, my] = (params.get("mouse") || "").split(",").map(Number);
  if (Number.isFinite(mx) && Number.isFinite(my)) state.mouse = { x: mx, y: my };
  if (rawFrames.length) selectFrame(Math.max(0, wanted)); else draw();
  const bars = params.get("bars");
  if (bars && state.frame) {
    const n = state.frame.n, span = bars === "all" ? maxSpan(n) : Number(bars);
    if (span > 0) { state.view = { start: n - span * 0.97, span }; clampView(); draw(); }
  }
  if (params.has("selftest")) runSelfTest();
} catch (e) {
  reportError(e && e.message ? e.message : String(e));
}
