// Scales: the price extent of a range of bars (from per-block extremes,
// so autoscaling stays cheap on 100k bars) and the time-axis ticks.

const BLOCK = 64; // bars per block of the min/max index (see prepareFrame)

// Lowest low and highest high of bars [from, to): whole blocks from the
// precomputed block extremes, the ragged ends bar by bar.
function rangeMinMax(f, from, to) {
  let lo = Infinity, hi = -Infinity, i = from;
  const scan = (end) => { for (; i < end; i++) { if (f.l[i] < lo) lo = f.l[i]; if (f.h[i] > hi) hi = f.h[i]; } };
  scan(Math.min(to, Math.ceil(from / BLOCK) * BLOCK));
  for (; i + BLOCK <= to; i += BLOCK) {
    const b = i / BLOCK;
    if (f.blockLow[b] < lo) lo = f.blockLow[b];
    if (f.blockHigh[b] > hi) hi = f.blockHigh[b];
  }
  scan(to);
  return [lo, hi];
}

function maxVolume(f, from, to) {
  let m = 0, i = from;
  for (; i < to && i % BLOCK; i++) if (f.v[i] > m) m = f.v[i];
  for (; i + BLOCK <= to; i += BLOCK) if (f.blockVol[i / BLOCK] > m) m = f.blockVol[i / BLOCK];
  for (; i < to; i++) if (f.v[i] > m) m = f.v[i];
  return m;
}

// Time-axis ticks: the smallest calendar interval whose labels stay about
// 90 CSS px apart, placed on the first bar of each interval. Bars are
// sampled about once per pixel, which is exact whenever a tick matters.
function computeTimeTicks(f, start, span, plotW, dpr, ctx, font) {
  const step = plotW / span, pxPerBar = step / dpr, dur = f.duration_ms;
  let unit = TIME_STEPS[TIME_STEPS.length - 1];
  for (const s of TIME_STEPS) {
    if (s.ms >= dur && (s.ms / dur) * pxPerBar >= 90) { unit = s; break; }
  }
  const ticks = [];
  const stride = Math.max(1, Math.floor(1 / pxPerBar));
  let prevKey = null, lastX = -Infinity;
  ctx.font = font(11);
  for (let i = Math.floor(start) - stride; i <= Math.ceil(start + span); i += stride) {
    const t = f.timeAt(i), key = timeKey(t, unit);
    if (prevKey !== null && key !== prevKey) {
      const x = (i + 0.5 - start) * step, label = timeTickLabel(t, unit), w = ctx.measureText(label.text).width;
      if (x - lastX > w + 14 * dpr && x > w / 2 && x < plotW - w / 2) {
        ticks.push({ x, text: label.text, strong: label.strong, w });
        lastX = x;
      }
    }
    prevKey = key;
  }
  return ticks;
}
