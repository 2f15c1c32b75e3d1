// The canvas renderer. Draws in device pixels (CSS px × devicePixelRatio)
// with an identity transform, rounding every edge to whole pixels, so lines
// and candle bodies stay sharp on any screen. Only the visible bars are
// visited; when there are more bars than pixel columns they are merged per
// column (open of the first, extreme high/low, close of the last), so one
// draw costs O(visible bars) at worst and O(columns) of canvas calls.

const AXIS_H = 26; // time axis height, CSS px

// Keeps labels from piling up: a label is drawn only where none is yet.
// Boxes are kept in a grid of 64 px cells, so each check looks at the few
// labels nearby rather than all of them.
function labelPlacer() {
  const cells = new Map(), CELL = 64;
  const keys = (x, y, w, h, fn) => {
    for (let cx = Math.floor(x / CELL); cx <= Math.floor((x + w) / CELL); cx++) {
      for (let cy = Math.floor(y / CELL); cy <= Math.floor((y + h) / CELL); cy++) if (fn(cx * 100003 + cy) === false) return false;
    }
    return true;
  };
  return (x, y, w, h) => {
    const free = keys(x, y, w, h, (k) => {
      for (const b of cells.get(k) || []) if (x < b[0] + b[2] && b[0] < x + w && y < b[1] + b[3] && b[1] < y + h) return false;
    });
    if (free) keys(x, y, w, h, (k) => { const list = cells.get(k); if (list) list.push([x, y, w, h]); else cells.set(k, [[x, y, w, h]]); });
    return free;
  };
}

// Text widths by font and text: labels repeat ("OB", "BOS") thousands of times.
const widthCache = new Map();
function textWidth(ctx, text) {
  const key = ctx.font + "|" + text;
  let w = widthCache.get(key);
  if (w === undefined) { w = ctx.measureText(text).width; widthCache.set(key, w); }
  return w;
}

// Draws the whole chart; returns the geometry the page needs to map
// pointer positions back to bars and prices, and counts of what was drawn.
function renderChart(canvas, ctx, state) {
  const t0 = performance.now();
  const dpr = window.devicePixelRatio || 1;
  const cssW = Math.max(1, canvas.clientWidth), cssH = Math.max(1, canvas.clientHeight);
  const W = Math.round(cssW * dpr), H = Math.round(cssH * dpr);
  if (canvas.width !== W || canvas.height !== H) { canvas.width = W; canvas.height = H; }
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.fillStyle = THEME.bg;
  ctx.fillRect(0, 0, W, H);

  const f = state.frame, on = state.on, view = state.view;
  const px = (css) => Math.round(css * dpr);
  const lw = Math.max(1, Math.floor(dpr)); // one crisp "pixel" line
  const font = (size, weight = "") => `${weight} ${Math.round(size * dpr)}px ${THEME.font}`;
  ctx.font = font(11);
  const axisW = px(Math.max(56, ctx.measureText(formatPrice(f.maxPrice, f.decimals)).width / dpr + 20));
  const plotW = W - axisW, plotH = H - px(AXIS_H);
  const stats = { candles: 0, zones: 0, segments: 0, markers: 0, bands: 0, decimated: false, ms: 0 };
  const geom = { dpr, plotW: plotW / dpr, plotH: plotH / dpr, lo: 0, hi: 1, stats };
  if (f.n === 0 || plotW < 10 || plotH < 10) return geom;

  const { start, span } = view;
  const step = plotW / span; // device px per bar
  const xOf = (i) => (i - start) * step;
  const from = Math.max(0, Math.floor(start)), to = Math.min(f.n, Math.ceil(start + span));

  // Price range: fitted to the visible bars unless set by hand.
  let lo, hi;
  if (state.price) ({ lo, hi } = state.price);
  else {
    [lo, hi] = from < to ? rangeMinMax(f, from, to) : [f.minPrice, f.maxPrice];
    if (!(hi > lo)) { const d = Math.abs(hi) * 0.01 || 1; lo -= d; hi += d; }
    const r = hi - lo;
    hi += r * 0.08;
    lo -= r * (on.volume ? 0.2 : 0.08); // room for the volume bars below
  }
  geom.lo = lo; geom.hi = hi;
  const yOf = (p) => ((hi - p) / (hi - lo)) * plotH;

  // Grid lines and tick positions for both axes.
  const priceStep = niceStep((hi - lo) / Math.max(2, plotH / px(46)));
  const priceDigits = Math.max(f.decimals, stepDecimals(priceStep));
  const priceTicks = [];
  // Bounded: a hand-set range can be so narrow that p + step === p.
  const firstTick = Math.ceil(lo / priceStep) * priceStep;
  for (let k = 0; k < 200 && firstTick + k * priceStep <= hi; k++) priceTicks.push(firstTick + k * priceStep);
  const timeTicks = computeTimeTicks(f, start, span, plotW, dpr, ctx, font);
  ctx.fillStyle = THEME.grid;
  for (const p of priceTicks) ctx.fillRect(0, Math.round(yOf(p)), plotW, lw);
  for (const t of timeTicks) ctx.fillRect(Math.round(t.x), 0, lw, plotH);

  ctx.save();
  ctx.beginPath();
  ctx.rect(0, 0, plotW, plotH);
  ctx.clip();
  const place = labelPlacer();
  const right = (i) => (i === Infinity ? plotW : Math.min(plotW + 2, xOf(i)));

  // Premium / discount bands: the backdrop.
  if (anyOn(f.objects.bands, on)) eachVisible(f.objects.bands, start, start + span, (b) => {
    if (!shown(b, on)) return;
    const x0 = Math.max(-2, xOf(b.i0)), x1 = right(b.i1);
    const yTop = yOf(b.top), yEq = yOf(b.level), yBot = yOf(b.bottom);
    ctx.fillStyle = rgba(b.layer.bull, 0.07);
    ctx.fillRect(x0, yTop, x1 - x0, yEq - yTop);
    ctx.fillStyle = rgba(b.layer.bear, 0.07);
    ctx.fillRect(x0, yEq, x1 - x0, yBot - yEq);
    ctx.fillStyle = "rgba(180, 186, 198, 0.35)";
    ctx.fillRect(x0, Math.round(yEq), x1 - x0, lw);
    if (b.i1 === Infinity && x1 - x0 > px(90)) {
      ctx.font = font(10);
      ctx.textAlign = "right";
      ctx.fillStyle = rgba(b.layer.bull, 0.7);
      ctx.fillText("Premium", x1 - px(6), yTop + px(12));
      ctx.fillStyle = rgba(b.layer.bear, 0.7);
      ctx.fillText("Discount", x1 - px(6), yBot - px(4));
      ctx.textAlign = "left";
    }
    stats.bands++;
  });

  // Zones: strong from formation to the first touch (mitigation), faint
  // after it until they are invalidated or expire, or to the right edge
  // while still active. Rectangles are batched into one path per colour
  // (thousands of zones cost a few canvas calls); tags are drawn after.
  const fills = new Map(), dotted = new Map(), tags = [];
  const batch = (map, style) => { let p = map.get(style); if (!p) map.set(style, (p = new Path2D())); return p; };
  const half = (lw % 2) / 2;
  ctx.font = font(10, "600");
  if (anyOn(f.objects.zones, on)) eachVisible(f.objects.zones, start, start + span, (z) => {
    if (!shown(z, on)) return;
    const x1 = Math.round(right(z.i1));
    let x0 = Math.round(xOf(z.i0));
    if (x1 - x0 < 2 * lw) return; // zoomed out: too short to see
    x0 = Math.max(x0, -4 * lw); // far off-screen coordinates only cost
    const xm = z.iMit === null ? x1 : Math.round(Math.min(x1, Math.max(x0, xOf(z.iMit))));
    const y0 = Math.round(yOf(z.top)), y1 = Math.max(y0 + lw, Math.round(yOf(z.bottom)));
    const color = z.dir > 0 ? z.layer.bull : z.layer.bear;
    const strong = z.ended === null && z.scope !== "internal"; // live swing-scope zones stand out
    if (xm > x0) {
      batch(fills, rgba(color, strong ? 0.2 : 0.13)).rect(x0, y0, xm - x0, y1 - y0);
      if (z.layer.outline) {
        const edge = batch(fills, rgba(color, strong ? 0.8 : 0.45));
        edge.rect(x0, y0, xm - x0, lw);
        edge.rect(x0, y1 - lw, xm - x0, lw);
        edge.rect(x0, y0, lw, y1 - y0);
      }
    }
    if (xm < x1) {
      // After the first touch only a dotted outline, so that the many
      // touched-but-alive zones do not wash over the chart.
      const d = batch(dotted, rgba(color, 0.45));
      d.moveTo(xm, y0 + half); d.lineTo(x1, y0 + half);
      d.moveTo(xm, y1 - lw + half); d.lineTo(x1, y1 - lw + half);
    }
    if (z.ended !== null && x1 <= plotW) batch(fills, rgba(color, 0.35)).rect(x1 - lw, y0, lw, y1 - y0);
    const tag = (z.scope === "internal" ? "i" : "") + z.layer.tag;
    if (tag && y1 - y0 >= px(12)) {
      const tx = Math.max(x0, 0) + px(4), tw = textWidth(ctx, tag);
      if (tx + tw + px(4) < Math.min(xm, plotW) && place(tx, y0, tw, px(12))) tags.push([tag, tx, y0 + px(10), rgba(color, 0.95)]);
    }
    stats.zones++;
  });
  for (const [style, path] of fills) { ctx.fillStyle = style; ctx.fill(path); }
  ctx.lineWidth = lw;
  ctx.setLineDash([px(2), px(3)]);
  for (const [style, path] of dotted) { ctx.strokeStyle = style; ctx.stroke(path); }
  ctx.setLineDash([]);
  for (const [tag, x, y, style] of tags) { ctx.fillStyle = style; ctx.fillText(tag, x, y); }

  // Volume, then candles, each in two batched paths (up, down).
  const bodyW = step >= 3 ? Math.max(1, Math.floor(step * 0.72)) - (Math.floor(step * 0.72) > 2 && Math.floor(step * 0.72) % 2 === 0 ? 1 : 0) : 1;
  const wickW = Math.min(lw, bodyW);
  const volH = plotH * 0.14, vmax = on.volume ? maxVolume(f, from, to) : 0;
  const up = new Path2D(), down = new Path2D(), vUp = new Path2D(), vDown = new Path2D();
  stats.decimated = step < 3;
  if (!stats.decimated) {
    for (let i = from; i < to; i++) {
      const xc = Math.floor(xOf(i + 0.5)), o = f.o[i], c = f.c[i], path = c >= o ? up : down;
      const yh = Math.round(yOf(f.h[i])), yl = Math.round(yOf(f.l[i]));
      const yo = Math.round(yOf(o)), yc = Math.round(yOf(c));
      path.rect(xc - (wickW >> 1), yh, wickW, Math.max(lw, yl - yh));
      path.rect(xc - (bodyW >> 1), Math.min(yo, yc), bodyW, Math.max(lw, Math.abs(yc - yo)));
      if (vmax > 0) {
        const vh = Math.max(lw, Math.round((f.v[i] / vmax) * volH));
        (c >= o ? vUp : vDown).rect(xc - (bodyW >> 1), plotH - vh, bodyW, vh);
      }
    }
  } else {
    // Several bars per pixel column: one merged bar per column (its volume
    // the sum, so the volume scale is the largest column's).
    const cols = [];
    let cur = null;
    for (let i = from; i < to; i++) {
      const x = Math.floor(xOf(i + 0.5));
      if (!cur || x !== cur.x) { cur = { x, o: f.o[i], h: f.h[i], l: f.l[i], c: f.c[i], v: 0 }; cols.push(cur); }
      if (f.h[i] > cur.h) cur.h = f.h[i];
      if (f.l[i] < cur.l) cur.l = f.l[i];
      cur.c = f.c[i];
      cur.v += f.v[i];
    }
    let cmax = 0;
    for (const k of cols) if (k.v > cmax) cmax = k.v;
    for (const k of cols) {
      const yh = Math.round(yOf(k.h)), yl = Math.round(yOf(k.l)), rising = k.c >= k.o;
      (rising ? up : down).rect(k.x, yh, lw, Math.max(lw, yl - yh));
      if (vmax > 0 && cmax > 0) {
        const vh = Math.max(lw, Math.round((k.v / cmax) * volH));
        (rising ? vUp : vDown).rect(k.x, plotH - vh, lw, vh);
      }
    }
  }
  if (vmax > 0) {
    ctx.fillStyle = THEME.volumeUp; ctx.fill(vUp);
    ctx.fillStyle = THEME.volumeDown; ctx.fill(vDown);
  }
  ctx.fillStyle = THEME.up; ctx.fill(up);
  ctx.fillStyle = THEME.down; ctx.fill(down);
  stats.candles = Math.max(0, to - from);

  // Levels: structure breaks (swing pivot → breaking candle) and liquidity
  // pools (first equal swing → where price took them).
  const strokes = new Map(), labels = [];
  if (anyOn(f.objects.segments, on)) eachVisible(f.objects.segments, start, start + span, (s) => {
    if (!shown(s, on)) return;
    const x1 = right(s.i1), y = Math.round(yOf(s.level)) + half;
    if (x1 - xOf(s.i0) < 3 * lw) return; // zoomed out: too short to see
    // Clipped near the edge: a dash pattern is computed along the whole
    // path, even where it is far off-screen.
    const x0 = Math.max(xOf(s.i0), -8 * lw);
    const color = s.dir > 0 ? s.layer.bull : s.layer.bear, style = rgba(color, s.ended ? 0.5 : 0.9);
    const path = batch(strokes, style + "|" + (s.dash ? s.dash.join(",") : ""));
    path.moveTo(x0, y); path.lineTo(x1, y);
    // Bars thinner than a pixel: only live levels keep their labels.
    if (s.label && (step >= dpr || s.i1 === Infinity)) {
      ctx.font = font(s.small ? 9 : 10, s.small ? "" : "600");
      const w = textWidth(ctx, s.label), hgt = px(s.small ? 10 : 11);
      // Structure labels sit mid-line; pool labels at their right end.
      const tx = s.layer.type === "liquidity" ? Math.min(x1, plotW) - w - px(4) : (Math.max(x0, 0) + Math.min(x1, plotW)) / 2 - w / 2;
      const ty = s.dir > 0 ? y - px(3) : y + hgt;
      if ((x1 - x0 >= w * 0.6 || step > px(8)) && place(tx, ty - hgt, w, hgt)) labels.push([s.label, tx, ty, ctx.font, rgba(color, s.ended ? 0.6 : 1)]);
    }
    stats.segments++;
  });
  ctx.lineWidth = lw;
  for (const [key, path] of strokes) {
    const [style, dash] = key.split("|");
    ctx.strokeStyle = style;
    ctx.setLineDash(dash ? dash.split(",").map((d) => px(Number(d))) : []);
    ctx.stroke(path);
  }
  ctx.setLineDash([]);
  for (const [text, x, y, fnt, style] of labels) { ctx.font = fnt; ctx.fillStyle = style; ctx.fillText(text, x, y); }

  // Markers: swings above highs / below lows, sweeps as crosses at the level
  // taken, unknown kinds as diamonds (above the candle if they have no
  // price). None when bars are thinner than a pixel, where they would only
  // be noise; internal swings only when zoomed in.
  const cssStep = step / dpr;
  if (cssStep >= 1) eachVisible(f.objects.markers, start, start + span, (m) => {
    if (!shown(m, on) || (m.small && cssStep < 4)) return;
    const bar = clampIndex(f, m.i0);
    const price = m.level !== null ? m.level : f.h[bar];
    const x = Math.round(xOf(m.i0)), yp = m.level !== null ? yOf(price) : yOf(price) - px(10), s = px(m.small ? 2 : 4);
    const color = m.dir > 0 ? m.layer.bull : m.layer.bear;
    ctx.fillStyle = ctx.strokeStyle = color;
    ctx.lineWidth = lw;
    let labelY;
    if (m.shape === "triangle" || m.shape === "dot") {
      const d = m.dir > 0 ? -1 : 1, cy = yp + d * px(m.small ? 5 : 9);
      ctx.beginPath();
      if (m.shape === "dot") ctx.arc(x, cy, s, 0, 2 * Math.PI);
      else { ctx.moveTo(x, cy - d * s); ctx.lineTo(x - s, cy + d * s * 0.8); ctx.lineTo(x + s, cy + d * s * 0.8); ctx.closePath(); }
      ctx.fill();
      labelY = m.dir > 0 ? cy - s - px(3) : cy + s + px(11);
    } else if (m.shape === "cross") {
      ctx.lineWidth = Math.max(lw, px(1.5));
      ctx.beginPath();
      ctx.moveTo(x - s, yp - s); ctx.lineTo(x + s, yp + s); ctx.moveTo(x + s, yp - s); ctx.lineTo(x - s, yp + s);
      ctx.stroke();
    } else {
      ctx.beginPath(); ctx.moveTo(x, yp - s); ctx.lineTo(x + s, yp); ctx.lineTo(x, yp + s); ctx.lineTo(x - s, yp); ctx.closePath(); ctx.fill();
      labelY = yp - s - px(3);
    }
    if (m.label && labelY !== undefined && cssStep >= 3) {
      ctx.font = font(9, "600");
      const w = textWidth(ctx, m.label);
      if (place(x - w / 2, labelY - px(9), w, px(10))) { ctx.fillStyle = rgba(color, 0.9); ctx.fillText(m.label, x - w / 2, labelY); }
    }
    stats.markers++;
  });

  // The last price, TradingView style: a dotted line across the plot.
  const last = f.n - 1, lastUp = f.c[last] >= f.o[last], lastY = Math.round(yOf(f.c[last]));
  ctx.fillStyle = lastUp ? THEME.up : THEME.down;
  for (let x = 0; x < plotW; x += px(4)) ctx.fillRect(x, lastY, px(1), lw);
  ctx.restore();

  // Axes: backgrounds over anything that spilled, then ticks and labels.
  ctx.fillStyle = THEME.axisBg;
  ctx.fillRect(plotW, 0, axisW, H);
  ctx.fillRect(0, plotH, W, H - plotH);
  ctx.fillStyle = THEME.axisLine;
  ctx.fillRect(plotW, 0, lw, H);
  ctx.fillRect(0, plotH, W, lw);
  ctx.font = font(11);
  ctx.textBaseline = "middle";
  ctx.fillStyle = THEME.axisText;
  for (const p of priceTicks) ctx.fillText(formatPrice(p, priceDigits), plotW + px(8), yOf(p));
  for (const t of timeTicks) {
    ctx.fillStyle = t.strong ? THEME.axisTextStrong : THEME.axisText;
    ctx.font = font(11, t.strong ? "600" : "");
    ctx.fillText(t.text, t.x - t.w / 2, plotH + px(AXIS_H / 2));
  }
  ctx.font = font(10);
  ctx.fillStyle = THEME.axisText;
  ctx.fillText("UTC", plotW + px(8), plotH + px(AXIS_H / 2));

  const axisLabel = (text, y, bg, fg) => {
    ctx.font = font(11);
    ctx.fillStyle = bg;
    ctx.fillRect(plotW + lw, Math.round(y - px(9)), axisW, px(18));
    ctx.fillStyle = fg;
    ctx.fillText(text, plotW + px(8), y);
  };
  if (lastY >= 0 && lastY <= plotH) axisLabel(formatPrice(f.c[last], f.decimals), lastY, lastUp ? THEME.up : THEME.down, "#fff");

  // Crosshair: snapped to the bar centre horizontally, free vertically.
  const m = state.mouse;
  if (m && m.x * dpr < plotW && m.y * dpr < plotH) {
    const i = Math.floor(start + (m.x * dpr) / step), x = Math.floor(xOf(i + 0.5)), y = Math.round(m.y * dpr);
    ctx.fillStyle = THEME.crosshair;
    for (let yy = 0; yy < plotH; yy += px(6)) ctx.fillRect(x, yy, lw, px(3));
    for (let xx = 0; xx < plotW; xx += px(6)) ctx.fillRect(xx, y, px(3), lw);
    axisLabel(formatPrice(hi - (y / plotH) * (hi - lo), priceDigits), y, THEME.labelBg, THEME.text);
    const text = formatCrosshairTime(f.timeAt(i), f.duration_ms);
    const w = ctx.measureText(text).width + px(16);
    const bx = Math.min(Math.max(0, x - w / 2), plotW - w);
    ctx.fillStyle = THEME.labelBg;
    ctx.fillRect(bx, plotH + lw, w, px(AXIS_H) - lw);
    ctx.fillStyle = THEME.text;
    ctx.fillText(text, bx + px(8), plotH + px(AXIS_H / 2));
    geom.cursorIndex = i;
  }
  ctx.textBaseline = "alphabetic";
  stats.ms = performance.now() - t0;
  return geom;
}
