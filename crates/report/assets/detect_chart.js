// Detection chart: draws one timeframe's candles and SMC objects on a
// canvas, with pan (drag), zoom (wheel / pinch-free buttons via wheel),
// a crosshair readout and per-kind toggles. Written for this project.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("data").textContent);
  const canvas = document.getElementById("chart");
  const ctx = canvas.getContext("2d");
  const readout = document.getElementById("readout");
  const COLORS = {
    bull: "#26a69a", bear: "#ef5350", ob: [38, 166, 154], breaker_block: [255, 167, 38],
    fvg: [41, 98, 255], inverse_fvg: [171, 71, 188], liquidity: "#ffd54f", sweep: "#ff7043",
    bos: "#90caf9", choch: "#f48fb1", swing: "#b0bec5", premium_discount: "#78909c",
  };
  const CATEGORIES = [
    ["ob", "Order blocks"], ["breaker_block", "Breakers"], ["fvg", "FVG"], ["inverse_fvg", "Inverse FVG"],
    ["structure", "BOS / CHoCH"], ["liquidity", "Liquidity"], ["sweep", "Sweeps"], ["swing", "Swings"],
  ];
  const shown = Object.fromEntries(CATEGORIES.map(([k]) => [k, true]));
  // Off by default to keep a busy chart readable; the legend turns them on.
  shown.swing = false; shown.inverse_fvg = false; shown.breaker_block = false;
  let frame = null, objects = null, view = { from: 0, to: 0 }, mouse = null;

  // Turns a frame's events into drawable objects: zones and levels span
  // from their origin to the event that ended them (or the last bar).
  function buildObjects(f) {
    const lastTime = f.bars.length ? f.bars[f.bars.length - 1][0] + f.duration_ms : 0;
    const byId = new Map(), out = { zones: [], lines: [], marks: [] };
    for (const e of f.events) {
      const key = e.kind + ":" + e.id;
      if (["ob", "breaker_block", "fvg", "inverse_fvg"].includes(e.kind)) {
        if (e.event === "formed") {
          const z = { kind: e.kind, dir: e.direction, top: e.top, bottom: e.bottom, t0: e.time, t1: lastTime, mitigated: null };
          byId.set(key, z); out.zones.push(z);
        } else if (byId.has(key)) {
          const z = byId.get(key);
          if (e.event === "mitigated") z.mitigated = e.time;
          else z.t1 = e.time + f.duration_ms;
        }
      } else if (e.kind === "liquidity") {
        if (e.event === "formed") {
          const l = { cat: "liquidity", color: COLORS.liquidity, level: e.level, t0: e.origin_time ?? e.time, t1: lastTime, dash: [4, 3], label: e.direction > 0 ? "EQH" : "EQL" };
          byId.set(key, l); out.lines.push(l);
        } else if (byId.has(key)) byId.get(key).t1 = e.time + f.duration_ms;
      } else if (e.kind === "bos" || e.kind === "choch") {
        out.lines.push({ cat: "structure", color: COLORS[e.kind], level: e.level, t0: e.origin_time ?? e.time, t1: e.time + f.duration_ms, dash: e.scope === "internal" ? [2, 3] : [], label: (e.kind === "bos" ? "BOS" : "CHoCH") + (e.scope === "internal" ? " i" : "") });
      } else if (e.kind === "sweep") {
        out.marks.push({ cat: "sweep", t: e.time, price: e.level, shape: "x", color: COLORS.sweep });
      } else if ((e.kind === "swing_high" || e.kind === "swing_low") && e.scope === "swing") {
        out.marks.push({ cat: "swing", t: e.time, price: e.level, shape: e.direction > 0 ? "v" : "^", color: COLORS.swing });
      }
    }
    return out;
  }

  function selectFrame(i) {
    frame = data.frames[i];
    objects = buildObjects(frame);
    const n = frame.bars.length;
    view = { from: Math.max(0, n - 150), to: n };
    document.querySelectorAll("#tfs button").forEach((b, j) => b.classList.toggle("active", j === i));
    draw();
  }

  function indexOf(t) { // first bar whose open time is >= t
    const bars = frame.bars; let lo = 0, hi = bars.length;
    while (lo < hi) { const m = (lo + hi) >> 1; if (bars[m][0] < t) lo = m + 1; else hi = m; }
    return lo;
  }

  function draw() {
    const dpr = window.devicePixelRatio || 1, w = canvas.clientWidth, h = canvas.clientHeight;
    canvas.width = Math.round(w * dpr); canvas.height = Math.round(h * dpr);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = "#0f131a"; ctx.fillRect(0, 0, w, h);
    if (!frame || frame.bars.length === 0) { document.body.dataset.ready = "1"; return; }
    const axisW = 70, axisH = 22, plotW = w - axisW, plotH = h - axisH;
    const bars = frame.bars, from = Math.max(0, Math.floor(view.from)), to = Math.min(bars.length, Math.ceil(view.to));
    let lo = Infinity, hi = -Infinity;
    for (let i = from; i < to; i++) { lo = Math.min(lo, bars[i][3]); hi = Math.max(hi, bars[i][2]); }
    const pad = (hi - lo) * 0.06 || 1; lo -= pad; hi += pad;
    const step = plotW / Math.max(1, view.to - view.from);
    const x = (i) => (i - view.from + 0.5) * step, y = (p) => plotH - ((p - lo) / (hi - lo)) * plotH;
    const xt = (t) => x(indexOf(t));
    // Grid and price axis.
    ctx.strokeStyle = "#222a36"; ctx.fillStyle = "#7d8796"; ctx.font = "11px ui-monospace, monospace"; ctx.lineWidth = 1;
    const ticks = 8, raw = (hi - lo) / ticks, mag = Math.pow(10, Math.floor(Math.log10(raw))), unit = [1, 2, 5, 10].map((m) => m * mag).find((u) => u >= raw);
    const digits = Math.max(0, -Math.floor(Math.log10(unit)));
    for (let p = Math.ceil(lo / unit) * unit; p <= hi; p += unit) {
      ctx.beginPath(); ctx.moveTo(0, y(p)); ctx.lineTo(plotW, y(p)); ctx.stroke();
      ctx.fillText(p.toFixed(digits), plotW + 6, y(p) + 4);
    }
    for (let i = from; i < to; i += Math.max(1, Math.round(120 / step))) {
      const d = new Date(bars[i][0]), label = d.toISOString().slice(frame.duration_ms >= 86400000 ? 0 : 5, frame.duration_ms >= 86400000 ? 10 : 16).replace("T", " ");
      ctx.beginPath(); ctx.moveTo(x(i), 0); ctx.lineTo(x(i), plotH); ctx.stroke();
      ctx.fillText(label, x(i) - 30, h - 6);
    }
    ctx.save(); ctx.beginPath(); ctx.rect(0, 0, plotW, plotH); ctx.clip();
    let zonesDrawn = 0;
    for (const z of objects.zones) {
      if (!shown[z.kind]) continue;
      const x0 = xt(z.t0), x1 = xt(z.t1);
      if (x1 < 0 || x0 > plotW) continue;
      const c = COLORS[z.kind], alpha = z.mitigated === null ? 0.2 : 0.08;
      ctx.fillStyle = `rgba(${c[0]},${c[1]},${c[2]},${alpha})`; ctx.strokeStyle = `rgba(${c[0]},${c[1]},${c[2]},0.8)`;
      ctx.fillRect(x0, y(z.top), x1 - x0, y(z.bottom) - y(z.top)); ctx.strokeRect(x0, y(z.top), x1 - x0, y(z.bottom) - y(z.top));
      zonesDrawn++;
    }
    const body = Math.max(1, step * 0.7);
    for (let i = from; i < to; i++) {
      const [, o, hh, ll, c] = bars[i], up = c >= o;
      ctx.strokeStyle = ctx.fillStyle = up ? COLORS.bull : COLORS.bear;
      ctx.beginPath(); ctx.moveTo(x(i), y(hh)); ctx.lineTo(x(i), y(ll)); ctx.stroke();
      ctx.fillRect(x(i) - body / 2, Math.min(y(o), y(c)), body, Math.max(1, Math.abs(y(o) - y(c))));
    }
    for (const l of objects.lines) {
      if (!shown[l.cat]) continue;
      const x0 = xt(l.t0), x1 = xt(l.t1);
      if (x1 < 0 || x0 > plotW) continue;
      ctx.strokeStyle = ctx.fillStyle = l.color; ctx.setLineDash(l.dash);
      ctx.beginPath(); ctx.moveTo(x0, y(l.level)); ctx.lineTo(x1, y(l.level)); ctx.stroke(); ctx.setLineDash([]);
      ctx.fillText(l.label, (x0 + x1) / 2 - 12, y(l.level) - 3);
    }
    for (const m of objects.marks) {
      if (!shown[m.cat]) continue;
      const px = xt(m.t), py = y(m.price);
      if (px < 0 || px > plotW) continue;
      ctx.strokeStyle = ctx.fillStyle = m.color; ctx.beginPath();
      if (m.shape === "x") { ctx.moveTo(px - 4, py - 4); ctx.lineTo(px + 4, py + 4); ctx.moveTo(px + 4, py - 4); ctx.lineTo(px - 4, py + 4); ctx.stroke(); }
      else { const d = m.shape === "v" ? -1 : 1, yy = py + d * 8; ctx.moveTo(px, yy - d * 4); ctx.lineTo(px - 4, yy + d * 3); ctx.lineTo(px + 4, yy + d * 3); ctx.fill(); }
    }
    if (mouse && mouse.x < plotW) {
      ctx.strokeStyle = "#7d8796"; ctx.setLineDash([3, 3]);
      ctx.beginPath(); ctx.moveTo(mouse.x, 0); ctx.lineTo(mouse.x, plotH); ctx.moveTo(0, mouse.y); ctx.lineTo(plotW, mouse.y); ctx.stroke(); ctx.setLineDash([]);
      const i = Math.floor(view.from + mouse.x / step);
      if (i >= 0 && i < bars.length) {
        const b = bars[i];
        readout.textContent = `${frame.timeframe}  ${new Date(b[0]).toISOString().replace(".000Z", "Z")}  O ${b[1]}  H ${b[2]}  L ${b[3]}  C ${b[4]}`;
      }
    }
    ctx.restore();
    document.body.dataset.ready = "1";
    document.body.dataset.candles = String(to - from);
    document.body.dataset.zones = String(zonesDrawn);
  }

  // Pan by dragging (mouse or touch), zoom with the wheel around the cursor.
  let drag = null;
  canvas.addEventListener("pointerdown", (e) => { drag = { x: e.clientX, from: view.from, to: view.to }; canvas.setPointerCapture(e.pointerId); });
  canvas.addEventListener("pointerup", () => { drag = null; });
  canvas.addEventListener("pointermove", (e) => {
    const r = canvas.getBoundingClientRect(); mouse = { x: e.clientX - r.left, y: e.clientY - r.top };
    if (drag) {
      const step = (canvas.clientWidth - 70) / (drag.to - drag.from), shift = (e.clientX - drag.x) / step;
      const n = frame.bars.length, span = drag.to - drag.from;
      view.from = Math.min(Math.max(drag.from - shift, -span * 0.5), n - 5); view.to = view.from + span;
    }
    draw();
  });
  canvas.addEventListener("wheel", (e) => {
    e.preventDefault();
    const r = canvas.getBoundingClientRect(), frac = (e.clientX - r.left) / (canvas.clientWidth - 70);
    const span = view.to - view.from, next = Math.min(Math.max(span * (e.deltaY > 0 ? 1.15 : 0.87), 10), frame.bars.length + 50);
    const anchor = view.from + frac * span; view.from = anchor - frac * next; view.to = view.from + next; draw();
  }, { passive: false });
  window.addEventListener("resize", draw);

  const nav = document.getElementById("tfs");
  data.frames.forEach((f, i) => {
    const b = document.createElement("button"); b.textContent = `${f.timeframe} (${f.bars.length})`; b.onclick = () => selectFrame(i); nav.appendChild(b);
  });
  const legend = document.getElementById("legend");
  for (const [key, label] of CATEGORIES) {
    const c = COLORS[key === "structure" ? "bos" : key], color = Array.isArray(c) ? `rgb(${c.join(",")})` : c;
    const l = document.createElement("label");
    l.innerHTML = `<input type="checkbox" ${shown[key] ? "checked" : ""}> <span class="swatch" style="background:${color}"></span>${label}`;
    l.querySelector("input").onchange = (e) => { shown[key] = e.target.checked; draw(); };
    legend.appendChild(l);
  }
  if (data.frames.length) selectFrame(0); else draw();
})();
