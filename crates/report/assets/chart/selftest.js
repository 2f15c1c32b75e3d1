// The page's self-test, run when the URL has #selftest (the browser test
// loads it so in headless Chromium). For every timeframe it draws the
// latest bars, then everything at once (timing the worst case), then drives
// the real input handlers with synthetic wheel, drag, pinch and hover events
// and checks the view and the readout responded. Results go to
// <pre id="selftest"> as JSON. Called only after the page script has set
// everything up, so it may use the page's state and functions.

function runSelfTest() {
  const result = { frames: [] };
  const r = canvas.getBoundingClientRect();
  const cx = r.left + geom.plotW / 2, cy = r.top + geom.plotH / 2;
  const pointer = (type, x, y, id = 1, pointerType = "mouse") =>
    canvas.dispatchEvent(new PointerEvent(type, { clientX: x, clientY: y, pointerId: id, pointerType, bubbles: true, isPrimary: id === 1 }));
  for (let k = 0; k < rawFrames.length; k++) {
    state.index = -1; // force a fresh selection at the latest bars
    state.frame = null;
    selectFrame(k);
    const f = state.frame, out = { timeframe: f.timeframe, bars: f.n, events: f.events.length };
    out.objects = {};
    for (const key of ["zones", "segments", "markers", "bands"]) out.objects[key] = f.objects[key].list.length;
    // Draw times are the best of three: the machine may be busy, and the
    // first draw of a frame also pays for compiling the code.
    const timed = () => {
      let best = null;
      for (let k = 0; k < 3; k++) {
        draw();
        if (!best || geom.stats.ms < best.ms) best = { ...geom.stats };
      }
      return best;
    };
    out.latest = timed();

    state.view = { start: -10, span: f.n + 20 };
    clampView();
    out.all = timed();

    latestView();
    draw();
    const before = { ...state.view };
    canvas.dispatchEvent(new WheelEvent("wheel", { clientX: cx, clientY: cy, deltaY: -400, bubbles: true, cancelable: true }));
    out.wheelZooms = state.view.span < before.span;

    // Drag right (back in time); a short frame may already show its
    // first bar, so then left.
    const drag = (dx) => {
      const s0 = state.view.start;
      pointer("pointerdown", cx, cy);
      pointer("pointermove", cx + dx, cy + 10);
      pointer("pointerup", cx + dx, cy + 10);
      return Math.sign(s0 - state.view.start) === Math.sign(dx);
    };
    out.dragPans = drag(120) || drag(-120);

    const span0 = state.view.span;
    pointer("pointerdown", cx - 40, cy, 11, "touch");
    pointer("pointerdown", cx + 40, cy, 12, "touch");
    pointer("pointermove", cx + 120, cy, 12, "touch");
    pointer("pointerup", cx + 120, cy, 12, "touch");
    pointer("pointerup", cx - 40, cy, 11, "touch");
    out.pinchZooms = state.view.span < span0;

    const p0 = state.price;
    pointer("pointerdown", r.left + geom.plotW + 10, cy);
    pointer("pointermove", r.left + geom.plotW + 10, cy + 60);
    pointer("pointerup", r.left + geom.plotW + 10, cy + 60);
    out.priceAxisScales = p0 === null && state.price !== null && state.price.hi - state.price.lo > geom.hi - geom.lo;
    canvas.dispatchEvent(new MouseEvent("dblclick", { clientX: r.left + geom.plotW + 10, clientY: cy, bubbles: true }));
    out.doubleClickAutoFits = state.price === null;

    pointer("pointermove", cx, cy);
    draw();
    out.readout = document.getElementById("ohlc").textContent;
    out.crosshair = geom.cursorIndex !== undefined;
    pointer("pointerleave", cx, cy);
    result.frames.push(out);
  }
  if (rawFrames.length) { state.index = -1; state.frame = null; selectFrame(0); }
  result.errors = errorCount;
  const pre = document.createElement("pre");
  pre.id = "selftest";
  pre.hidden = true;
  pre.textContent = JSON.stringify(result);
  body.appendChild(pre);
}
