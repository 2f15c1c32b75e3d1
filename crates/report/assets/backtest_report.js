// The equity curve of the backtest report, with the drawdown under it and
// circuit-breaker events as vertical lines; a hover readout gives the
// equity and drawdown at the pointer. The curve arrives reduced to buckets
// (lowest, highest, last equity and deepest drawdown each), so one draw
// costs O(buckets). Records what it drew on <body> (data-equity-points,
// data-equity-markers) for the browser tests.

const eqCanvas = document.getElementById("equity");
const eqCtx = eqCanvas.getContext("2d", { alpha: false });
const eqData = data.equity || { t: [], lo: [], hi: [], last: [], dd: [] };
const eqMarkers = Array.isArray(data.markers) ? data.markers : [];
let eqMouse = null;

function drawEquity() {
  const dpr = window.devicePixelRatio || 1;
  const cssW = Math.max(1, eqCanvas.clientWidth), cssH = Math.max(1, eqCanvas.clientHeight);
  const W = Math.round(cssW * dpr), H = Math.round(cssH * dpr);
  if (eqCanvas.width !== W || eqCanvas.height !== H) { eqCanvas.width = W; eqCanvas.height = H; }
  eqCtx.setTransform(1, 0, 0, 1, 0, 0);
  eqCtx.fillStyle = THEME.bg;
  eqCtx.fillRect(0, 0, W, H);
  const n = eqData.t.length;
  const px = (css) => Math.round(css * dpr);
  eqCtx.font = `${px(11)}px ${THEME.font}`;
  const axisW = px(76), axisH = px(22), top = px(26);
  const plotW = W - axisW, eqH = Math.round((H - axisH - top) * 0.72), ddTop = top + eqH + px(6), ddH = H - axisH - ddTop;
  if (n === 0 || plotW < 10 || eqH < 10) { document.body.dataset.equityPoints = "0"; return; }
  let lo = Infinity, hi = -Infinity, ddMax = 0;
  for (let i = 0; i < n; i++) { lo = Math.min(lo, eqData.lo[i]); hi = Math.max(hi, eqData.hi[i]); ddMax = Math.max(ddMax, eqData.dd[i]); }
  if (!(hi > lo)) { hi = lo + 1; lo -= 1; }
  const pad = (hi - lo) * 0.05;
  lo -= pad; hi += pad;
  ddMax = Math.max(ddMax, 0.01);
  const t0 = eqData.t[0], t1 = eqData.t[n - 1] > t0 ? eqData.t[n - 1] : t0 + 1;
  const xOf = (t) => ((t - t0) / (t1 - t0)) * (plotW - px(8)) + px(4);
  const yEq = (e) => top + (1 - (e - lo) / (hi - lo)) * eqH;
  const yDd = (d) => ddTop + (d / ddMax) * ddH;

  // Grid and axes: a few round equity levels, drawdown at 0 and its maximum.
  eqCtx.strokeStyle = THEME.grid;
  eqCtx.fillStyle = THEME.axisText;
  eqCtx.lineWidth = 1;
  const step = niceStep((hi - lo) / 5);
  for (let v = Math.ceil(lo / step) * step; v <= hi; v += step) {
    const y = Math.round(yEq(v)) + 0.5;
    eqCtx.beginPath(); eqCtx.moveTo(0, y); eqCtx.lineTo(plotW, y); eqCtx.stroke();
    eqCtx.fillText(formatPrice(v, stepDecimals(step)), plotW + px(6), y + px(4));
  }
  eqCtx.fillText("0%", plotW + px(6), ddTop + px(10));
  eqCtx.fillText("-" + (ddMax * 100).toFixed(1) + "%", plotW + px(6), ddTop + ddH);
  const span = t1 - t0, dur = span / Math.max(1, n);
  for (let k = 0; k <= 4; k++) {
    const t = t0 + (span * k) / 4, label = formatTime(t, span > 30 * DAY ? DAY : dur);
    const w = eqCtx.measureText(label).width, x = Math.min(Math.max(xOf(t) - w / 2, 0), plotW - w);
    eqCtx.fillText(label, x, H - px(6));
  }

  // The equity band (lowest to highest in each bucket) and the line of last values.
  eqCtx.fillStyle = rgba("#2962ff", 0.25);
  for (let i = 0; i < n; i++) {
    const x = Math.round(xOf(eqData.t[i])), y0 = Math.round(yEq(eqData.hi[i])), y1 = Math.round(yEq(eqData.lo[i]));
    eqCtx.fillRect(x, y0, Math.max(1, Math.round(dpr)), Math.max(1, y1 - y0));
  }
  eqCtx.strokeStyle = "#5c8dff";
  eqCtx.lineWidth = Math.max(1, Math.round(1.5 * dpr));
  eqCtx.beginPath();
  for (let i = 0; i < n; i++) {
    const x = xOf(eqData.t[i]), y = yEq(eqData.last[i]);
    if (i === 0) eqCtx.moveTo(x, y); else eqCtx.lineTo(x, y);
  }
  eqCtx.stroke();

  // The drawdown as a red area hanging from zero.
  eqCtx.fillStyle = rgba(THEME.down, 0.45);
  eqCtx.beginPath();
  eqCtx.moveTo(xOf(eqData.t[0]), yDd(0));
  for (let i = 0; i < n; i++) eqCtx.lineTo(xOf(eqData.t[i]), yDd(eqData.dd[i]));
  eqCtx.lineTo(xOf(eqData.t[n - 1]), yDd(0));
  eqCtx.closePath();
  eqCtx.fill();

  // Breaker events: a dashed line each, labelled where there is room.
  let drawn = 0;
  eqCtx.strokeStyle = "#ffab40";
  eqCtx.setLineDash([px(4), px(3)]);
  eqCtx.lineWidth = Math.max(1, Math.round(dpr));
  let lastLabelEnd = -Infinity;
  for (const m of eqMarkers) {
    if (!(m.time >= t0 && m.time <= t1)) continue;
    const x = Math.round(xOf(m.time)) + 0.5;
    eqCtx.beginPath(); eqCtx.moveTo(x, top); eqCtx.lineTo(x, ddTop + ddH); eqCtx.stroke();
    const w = eqCtx.measureText(m.label).width;
    if (x + px(3) > lastLabelEnd && x + w < plotW) {
      eqCtx.fillStyle = "#ffab40";
      eqCtx.fillText(m.label, x + px(3), top + px(10));
      lastLabelEnd = x + px(3) + w + px(6);
    }
    drawn++;
  }
  eqCtx.setLineDash([]);

  // Crosshair and readout at the pointer.
  const readout = document.getElementById("equity-readout");
  if (eqMouse && eqMouse.x * dpr < plotW) {
    const t = t0 + ((eqMouse.x * dpr - px(4)) / (plotW - px(8))) * (t1 - t0);
    let i = 0;
    while (i + 1 < n && eqData.t[i + 1] <= t) i++;
    const x = Math.round(xOf(eqData.t[i])) + 0.5;
    eqCtx.strokeStyle = "#8a93a3";
    eqCtx.beginPath(); eqCtx.moveTo(x, top); eqCtx.lineTo(x, ddTop + ddH); eqCtx.stroke();
    readout.innerHTML = `<b>${formatTime(eqData.t[i], dur)}</b> · equity <b>${formatPrice(eqData.last[i], 2)}</b>`
      + ` · drawdown <b>${(eqData.dd[i] * 100).toFixed(2)}%</b>`;
  } else {
    readout.innerHTML = `equity <b>${formatPrice(eqData.last[n - 1], 2)}</b> · max drawdown <b>${(ddMax * 100).toFixed(2)}%</b>`;
  }
  Object.assign(document.body.dataset, { equityPoints: String(n), equityMarkers: String(drawn) });
}

eqCanvas.addEventListener("pointermove", (e) => {
  const r = eqCanvas.getBoundingClientRect();
  eqMouse = { x: e.clientX - r.left, y: e.clientY - r.top };
  drawEquity();
});
eqCanvas.addEventListener("pointerleave", () => { eqMouse = null; drawEquity(); });
if (typeof ResizeObserver === "function") new ResizeObserver(() => drawEquity()).observe(eqCanvas);
window.addEventListener("resize", drawEquity);
drawEquity();
