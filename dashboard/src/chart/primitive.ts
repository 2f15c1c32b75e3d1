// The SMC overlays as a lightweight-charts v5 series primitive: two pane
// views drawing on the chart's canvas, one under the candles (zones and
// the premium/discount range) and one over them (structure, liquidity,
// sweeps, labels). The overlays are indexed once when set (SpanIndex), so a
// frame looks only at the objects reaching into the visible bars; it draws
// them grouped by style (one fill colour set per group of zones, one path
// per group of outlines or lines) with colour strings made once per
// palette, and allocates nothing but what the canvas calls do.

import type {
  IChartApi,
  IPrimitivePaneRenderer,
  IPrimitivePaneView,
  ISeriesPrimitive,
  PrimitivePaneViewZOrder,
  SeriesAttachedParameter,
  SeriesType,
  Time,
} from "lightweight-charts";
import { boxStyle, boxStyles, type BoxStyles, type ChartColours } from "./colours";
import type { Box, LiquidityLevel, Overlays, StructureLine } from "./overlays";
import { BOX_SLOTS, EMPTY, Frame, Scene, type Scales } from "./scene";

type Target = Parameters<IPrimitivePaneRenderer["draw"]>[0];
type Ctx = CanvasRenderingContext2D;

const SOLID: number[] = [];
const DASHED_BOX = [3, 3];
const DASHED_INTERNAL = [4, 3];
const DOTTED = [2, 3];
const DASHED_EQ = [6, 4];

function drawBackground(ctx: Ctx, f: Frame, scene: Scene, c: ChartColours, styles: BoxStyles): void {
  const r = scene.range;
  if (r && r.to >= f.from && r.from <= f.to) {
    const yt = f.y(r.top);
    const ye = f.y(r.equilibrium);
    const yb = f.y(r.bottom);
    if (yt !== null && ye !== null && yb !== null) {
      const left = f.x(r.from) - f.half;
      const width = f.x(r.to) + f.half - left;
      ctx.fillStyle = c.premium;
      ctx.fillRect(left, yt, width, ye - yt);
      ctx.fillStyle = c.discount;
      ctx.fillRect(left, ye, width, yb - ye);
    }
  }
  for (const group of f.groups) group.length = 0;
  for (const b of scene.closedBoxes.collect(f.from, f.to, f.boxes)) f.groups[boxStyle(b.kind, b.direction, false)]?.push(b);
  for (const b of scene.openBoxes.collect(f.from, f.to, f.boxes)) f.groups[boxStyle(b.kind, b.direction, true)]?.push(b);
  // Zones by fill (each still its own rectangle: overlapping zones stay darker).
  for (let slot = 0; slot < BOX_SLOTS; slot++) {
    const group = f.groups[slot] as Box[];
    if (group.length === 0) continue;
    ctx.fillStyle = styles.fill[slot] ?? "";
    for (const b of group) {
      const yt = f.y(b.top);
      const yb = f.y(b.bottom);
      if (yt === null || yb === null) continue;
      const left = f.x(b.from) - f.half;
      ctx.fillRect(left, yt, f.x(b.to) + f.half - left, Math.max(1, yb - yt));
    }
  }
  // Outlines of order blocks and breakers (slots 0 to 7): one path per colour,
  // open and closed boxes (slots s, s + 1) sharing it.
  ctx.lineWidth = 1;
  for (let slot = 0; slot < 8; slot += 2) {
    const closed = f.groups[slot] as Box[];
    const open = f.groups[slot + 1] as Box[];
    if (closed.length + open.length === 0) continue;
    ctx.strokeStyle = styles.stroke[slot] ?? "";
    ctx.setLineDash(slot >= 4 ? DASHED_BOX : SOLID);
    ctx.beginPath();
    outline(ctx, f, closed);
    outline(ctx, f, open);
    ctx.stroke();
  }
  ctx.setLineDash(SOLID);
}

function outline(ctx: Ctx, f: Frame, boxes: readonly Box[]): void {
  for (const b of boxes) {
    const yt = f.y(b.top);
    const yb = f.y(b.bottom);
    if (yt === null || yb === null) continue;
    const left = f.x(b.from) - f.half;
    ctx.rect(left + 0.5, yt + 0.5, f.x(b.to) + f.half - left - 1, Math.max(1, yb - yt) - 1);
  }
}

function drawRange(ctx: Ctx, f: Frame, scene: Scene, c: ChartColours): void {
  const r = scene.range;
  if (!r || r.to < f.from || r.from > f.to) return;
  const y = f.y(r.equilibrium);
  if (y === null) return;
  const x1 = f.x(r.to) + f.half;
  ctx.strokeStyle = c.equilibrium;
  ctx.setLineDash(DASHED_EQ);
  ctx.beginPath();
  ctx.moveTo(f.x(r.from) - f.half, Math.round(y) + 0.5);
  ctx.lineTo(x1, Math.round(y) + 0.5);
  ctx.stroke();
  ctx.textAlign = "left";
  ctx.fillStyle = c.equilibrium;
  label(ctx, "EQ", x1 + 2, y, true);
  ctx.textAlign = "center";
}

/** A label over (bullish) or under (bearish) a level. */
function label(ctx: Ctx, text: string, x: number, y: number, above: boolean): void {
  ctx.textBaseline = above ? "bottom" : "top";
  ctx.fillText(text, x, above ? y - 2 : y + 2);
}

/** One style of structure lines: one path, then the labels. */
function drawStructure(ctx: Ctx, f: Frame, lines: readonly StructureLine[], colour: string): void {
  if (lines.length === 0) return;
  ctx.strokeStyle = colour;
  ctx.beginPath();
  for (const s of lines) {
    const y = f.y(s.level);
    if (y === null) continue;
    ctx.moveTo(f.x(s.from), Math.round(y) + 0.5);
    ctx.lineTo(f.x(s.to), Math.round(y) + 0.5);
  }
  ctx.stroke();
  ctx.fillStyle = colour;
  for (const s of lines) {
    const y = f.y(s.level);
    if (y !== null) label(ctx, s.label, (f.x(s.from) + f.x(s.to)) / 2, y, s.direction > 0);
  }
}

/** One colour of liquidity levels: one path, then the labels. */
function drawLiquidity(ctx: Ctx, f: Frame, levels: readonly LiquidityLevel[], colour: string): void {
  if (levels.length === 0) return;
  ctx.strokeStyle = colour;
  ctx.beginPath();
  for (const l of levels) {
    const y = f.y(l.level);
    if (y === null) continue;
    ctx.moveTo(f.x(l.from), Math.round(y) + 0.5);
    ctx.lineTo(f.x(l.to) + (l.open ? f.half : 0), Math.round(y) + 0.5);
  }
  ctx.stroke();
  ctx.fillStyle = colour;
  for (const l of levels) {
    const y = f.y(l.level);
    if (y !== null) label(ctx, l.label, f.x(l.from) + 12, y, l.direction > 0);
  }
}

/** A structure line's style slot: BOS / CHoCH, bull / bear, swing / internal. */
const structureSlot = (s: StructureLine) => (s.kind === "bos" ? 0 : 4) + (s.direction > 0 ? 0 : 2) + (s.internal ? 1 : 0);

function drawForeground(ctx: Ctx, f: Frame, scene: Scene, c: ChartColours): void {
  ctx.font = "10px system-ui, sans-serif";
  ctx.textAlign = "center";
  ctx.lineWidth = 1;
  drawRange(ctx, f, scene, c);
  for (const group of f.structureGroups) group.length = 0;
  for (const s of scene.structure.collect(f.from, f.to, f.structure)) f.structureGroups[structureSlot(s)]?.push(s);
  for (let slot = 0; slot < 8; slot++) {
    const kind = slot < 4 ? c.bos : c.choch;
    ctx.setLineDash(slot % 2 === 1 ? DASHED_INTERNAL : SOLID);
    drawStructure(ctx, f, f.structureGroups[slot] as StructureLine[], slot % 4 < 2 ? kind.bull : kind.bear);
  }
  ctx.setLineDash(DOTTED);
  const bull = f.liquidityGroups[0] as LiquidityLevel[];
  const bear = f.liquidityGroups[1] as LiquidityLevel[];
  bull.length = 0;
  bear.length = 0;
  for (const l of scene.liquidity.collect(f.from, f.to, f.liquidity)) (l.direction > 0 ? bull : bear).push(l);
  drawLiquidity(ctx, f, bull, c.liquidity.bull);
  drawLiquidity(ctx, f, bear, c.liquidity.bear);
  ctx.setLineDash(SOLID);
  const sweeps = scene.sweeps.collect(f.from, f.to, f.sweeps);
  if (sweeps.length === 0) return;
  ctx.strokeStyle = c.sweep;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  for (const s of sweeps) {
    const x = f.x(s.at);
    const y = f.y(s.level);
    if (y === null) continue;
    ctx.moveTo(x - 4, y - 4);
    ctx.lineTo(x + 4, y + 4);
    ctx.moveTo(x + 4, y - 4);
    ctx.lineTo(x - 4, y + 4);
  }
  ctx.stroke();
}

class OverlayRenderer implements IPrimitivePaneRenderer {
  private readonly frame = new Frame();
  constructor(
    private readonly owner: SmcOverlayPrimitive,
    private readonly layer: "background" | "foreground",
  ) {}
  draw(target: Target): void {
    const scales = this.owner.scales();
    if (!scales || !this.frame.update(scales)) return;
    const scene = this.owner.scene();
    const colours = this.owner.colours();
    target.useMediaCoordinateSpace(({ context }) => {
      context.save();
      if (this.layer === "background") drawBackground(context, this.frame, scene, colours, this.owner.boxStyles());
      else drawForeground(context, this.frame, scene, colours);
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
  private indexed: Scene = new Scene(EMPTY);
  private palette: ChartColours;
  private styles: BoxStyles;
  private readonly views: readonly IPrimitivePaneView[];

  constructor(colours: ChartColours) {
    this.palette = colours;
    this.styles = boxStyles(colours);
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

  scene(): Scene {
    return this.indexed;
  }

  colours(): ChartColours {
    return this.palette;
  }

  boxStyles(): BoxStyles {
    return this.styles;
  }

  setOverlays(overlays: Overlays): void {
    if (overlays === this.current) return;
    this.current = overlays;
    this.indexed = new Scene(overlays);
    this.attachedTo?.requestUpdate();
  }

  setColours(colours: ChartColours): void {
    this.palette = colours;
    this.styles = boxStyles(colours);
    this.attachedTo?.requestUpdate();
  }
}
