// The SMC overlays as a lightweight-charts v5 series primitive: two pane
// views drawing on the chart's canvas, one under the candles (zones and
// the premium/discount range) and one over them (structure, liquidity,
// sweeps, labels). Only objects reaching into the visible bars are drawn.

import type {
  IChartApi,
  IPrimitivePaneRenderer,
  IPrimitivePaneView,
  ISeriesApi,
  ISeriesPrimitive,
  Logical,
  PrimitivePaneViewZOrder,
  SeriesAttachedParameter,
  SeriesType,
  Time,
} from "lightweight-charts";
import { withAlpha, type ChartColours } from "./colours";
import type { Overlays } from "./overlays";

type Target = Parameters<IPrimitivePaneRenderer["draw"]>[0];

interface Scales {
  chart: IChartApi;
  series: ISeriesApi<SeriesType, Time>;
}

const EMPTY: Overlays = { boxes: [], structure: [], liquidity: [], sweeps: [], range: null };

/** Pixel helpers over the chart's current scales, for one draw. */
class Frame {
  readonly from: number;
  readonly to: number;
  readonly half: number;
  constructor(private readonly s: Scales) {
    const range = s.chart.timeScale().getVisibleLogicalRange();
    this.from = range ? range.from - 1 : -Infinity;
    this.to = range ? range.to + 1 : Infinity;
    this.half = s.chart.timeScale().options().barSpacing / 2;
  }
  visible(a: number, b: number): boolean {
    return b >= this.from && a <= this.to;
  }
  x(index: number): number | null {
    return this.s.chart.timeScale().logicalToCoordinate(index as Logical);
  }
  y(price: number): number | null {
    return this.s.series.priceToCoordinate(price);
  }
}

function drawBackground(ctx: CanvasRenderingContext2D, f: Frame, o: Overlays, c: ChartColours): void {
  const r = o.range;
  if (r && f.visible(r.from, r.to)) {
    const x0 = f.x(r.from);
    const x1 = f.x(r.to);
    const yt = f.y(r.top);
    const ye = f.y(r.equilibrium);
    const yb = f.y(r.bottom);
    if (x0 !== null && x1 !== null && yt !== null && ye !== null && yb !== null) {
      const left = x0 - f.half;
      const width = x1 + f.half - left;
      ctx.fillStyle = c.premium;
      ctx.fillRect(left, yt, width, ye - yt);
      ctx.fillStyle = c.discount;
      ctx.fillRect(left, ye, width, yb - ye);
    }
  }
  for (const b of o.boxes) {
    if (!f.visible(b.from, b.to)) continue;
    const x0 = f.x(b.from);
    const x1 = f.x(b.to);
    const yt = f.y(b.top);
    const yb = f.y(b.bottom);
    if (x0 === null || x1 === null || yt === null || yb === null) continue;
    const colour = b.direction > 0 ? c.box[b.kind].bull : c.box[b.kind].bear;
    const flipped = b.kind === "breaker_block" || b.kind === "inverse_fvg";
    const left = x0 - f.half;
    const width = x1 + f.half - left;
    const height = Math.max(1, yb - yt);
    ctx.fillStyle = withAlpha(colour, flipped ? 0.08 : b.open ? 0.22 : 0.14);
    ctx.fillRect(left, yt, width, height);
    if (b.kind === "ob" || b.kind === "breaker_block") {
      ctx.strokeStyle = withAlpha(colour, 0.7);
      ctx.lineWidth = 1;
      ctx.setLineDash(flipped ? [3, 3] : []);
      ctx.strokeRect(left + 0.5, yt + 0.5, width - 1, height - 1);
    }
  }
  ctx.setLineDash([]);
}

function label(ctx: CanvasRenderingContext2D, text: string, x: number, y: number, colour: string, above: boolean): void {
  ctx.fillStyle = colour;
  ctx.textBaseline = above ? "bottom" : "top";
  ctx.fillText(text, x, above ? y - 2 : y + 2);
}

function drawForeground(ctx: CanvasRenderingContext2D, f: Frame, o: Overlays, c: ChartColours): void {
  ctx.font = "10px system-ui, sans-serif";
  ctx.textAlign = "center";
  ctx.lineWidth = 1;
  const r = o.range;
  if (r && f.visible(r.from, r.to)) {
    const x0 = f.x(r.from);
    const x1 = f.x(r.to);
    const y = f.y(r.equilibrium);
    if (x0 !== null && x1 !== null && y !== null) {
      ctx.strokeStyle = c.equilibrium;
      ctx.setLineDash([6, 4]);
      ctx.beginPath();
      ctx.moveTo(x0 - f.half, Math.round(y) + 0.5);
      ctx.lineTo(x1 + f.half, Math.round(y) + 0.5);
      ctx.stroke();
      ctx.textAlign = "left";
      label(ctx, "EQ", x1 + f.half + 2, y, c.equilibrium, true);
      ctx.textAlign = "center";
    }
  }
  for (const s of o.structure) {
    if (!f.visible(s.from, s.to)) continue;
    const x0 = f.x(s.from);
    const x1 = f.x(s.to);
    const y = f.y(s.level);
    if (x0 === null || x1 === null || y === null) continue;
    const colour = s.direction > 0 ? c[s.kind].bull : c[s.kind].bear;
    ctx.strokeStyle = colour;
    ctx.setLineDash(s.internal ? [4, 3] : []);
    ctx.beginPath();
    ctx.moveTo(x0, Math.round(y) + 0.5);
    ctx.lineTo(x1, Math.round(y) + 0.5);
    ctx.stroke();
    label(ctx, s.label, (x0 + x1) / 2, y, colour, s.direction > 0);
  }
  ctx.setLineDash([2, 3]);
  for (const l of o.liquidity) {
    if (!f.visible(l.from, l.to)) continue;
    const x0 = f.x(l.from);
    const x1 = f.x(l.to);
    const y = f.y(l.level);
    if (x0 === null || x1 === null || y === null) continue;
    const colour = l.direction > 0 ? c.liquidity.bull : c.liquidity.bear;
    ctx.strokeStyle = colour;
    ctx.beginPath();
    ctx.moveTo(x0, Math.round(y) + 0.5);
    ctx.lineTo(x1 + (l.open ? f.half : 0), Math.round(y) + 0.5);
    ctx.stroke();
    label(ctx, l.label, x0 + 12, y, colour, l.direction > 0);
  }
  ctx.setLineDash([]);
  ctx.strokeStyle = c.sweep;
  ctx.lineWidth = 1.5;
  for (const s of o.sweeps) {
    if (!f.visible(s.at, s.at)) continue;
    const x = f.x(s.at);
    const y = f.y(s.level);
    if (x === null || y === null) continue;
    ctx.beginPath();
    ctx.moveTo(x - 4, y - 4);
    ctx.lineTo(x + 4, y + 4);
    ctx.moveTo(x + 4, y - 4);
    ctx.lineTo(x - 4, y + 4);
    ctx.stroke();
  }
}

class OverlayRenderer implements IPrimitivePaneRenderer {
  constructor(
    private readonly owner: SmcOverlayPrimitive,
    private readonly layer: "background" | "foreground",
  ) {}
  draw(target: Target): void {
    const scales = this.owner.scales();
    if (!scales) return;
    const overlays = this.owner.overlays();
    const colours = this.owner.colours();
    target.useMediaCoordinateSpace(({ context }) => {
      context.save();
      const frame = new Frame(scales);
      if (this.layer === "background") drawBackground(context, frame, overlays, colours);
      else drawForeground(context, frame, overlays, colours);
      context.restore();
    });
  }
}

class OverlayView implements IPrimitivePaneView {
  private readonly drawer: OverlayRenderer;
  constructor(
    owner: SmcOverlayPrimitive,
    private readonly layer: "background" | "foreground",
  ) {
    this.drawer = new OverlayRenderer(owner, layer);
  }
  zOrder(): PrimitivePaneViewZOrder {
    return this.layer === "background" ? "bottom" : "top";
  }
  renderer(): IPrimitivePaneRenderer {
    return this.drawer;
  }
}

/** Attach with `series.attachPrimitive(p)`; feed with setOverlays / setColours. */
export class SmcOverlayPrimitive implements ISeriesPrimitive<Time> {
  private attachedTo: (Scales & { requestUpdate: () => void }) | null = null;
  private current: Overlays = EMPTY;
  private palette: ChartColours;
  private readonly views: readonly IPrimitivePaneView[];

  constructor(colours: ChartColours) {
    this.palette = colours;
    this.views = [new OverlayView(this, "background"), new OverlayView(this, "foreground")];
  }

  attached(param: SeriesAttachedParameter<Time, SeriesType>): void {
    this.attachedTo = { chart: param.chart as IChartApi, series: param.series, requestUpdate: param.requestUpdate };
  }

  detached(): void {
    this.attachedTo = null;
  }

  paneViews(): readonly IPrimitivePaneView[] {
    return this.views;
  }

  scales(): Scales | null {
    return this.attachedTo;
  }

  overlays(): Overlays {
    return this.current;
  }

  colours(): ChartColours {
    return this.palette;
  }

  setOverlays(overlays: Overlays): void {
    this.current = overlays;
    this.attachedTo?.requestUpdate();
  }

  setColours(colours: ChartColours): void {
    this.palette = colours;
    this.attachedTo?.requestUpdate();
  }
}
