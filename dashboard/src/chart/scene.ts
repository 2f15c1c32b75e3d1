// The overlays as the chart primitive draws them: indexed once per set of
// overlays (Scene: a SpanIndex per family, open boxes apart), and the
// scales and scratch arrays of one draw (Frame), reused from frame to frame
// so drawing allocates nothing.

import type { IChartApi, ISeriesApi, Logical, SeriesType, Time } from "lightweight-charts";
import type { Box, LiquidityLevel, Overlays, StructureLine, SweepPoint } from "./overlays";
import { SpanIndex } from "./spanIndex";

export interface Scales {
  chart: IChartApi;
  series: ISeriesApi<SeriesType, Time>;
}

/** Style slots of boxes (see boxStyle). */
export const BOX_SLOTS = 16;

export const EMPTY: Overlays = { boxes: [], structure: [], liquidity: [], sweeps: [], range: null };

/** The overlays indexed for drawing. */
export class Scene {
  readonly range: Overlays["range"];
  /** Open boxes apart: they all reach the last bar, and would widen the closed ones' blocks. */
  readonly openBoxes: SpanIndex<Box>;
  readonly closedBoxes: SpanIndex<Box>;
  readonly structure: SpanIndex<StructureLine>;
  readonly liquidity: SpanIndex<LiquidityLevel>;
  readonly sweeps: SpanIndex<SweepPoint>;

  constructor(o: Overlays) {
    this.range = o.range;
    const from = (b: Box) => b.from;
    const to = (b: Box) => b.to;
    this.openBoxes = new SpanIndex(o.boxes.filter((b) => b.open), from, to);
    this.closedBoxes = new SpanIndex(o.boxes.filter((b) => !b.open), from, to);
    this.structure = new SpanIndex(o.structure, (s) => s.from, (s) => s.to);
    this.liquidity = new SpanIndex(o.liquidity, (l) => l.from, (l) => l.to);
    this.sweeps = new SpanIndex(o.sweeps, (s) => s.at, (s) => s.at);
  }
}

/** Scales and scratch space for one draw, reused from frame to frame. */
export class Frame {
  from = 0;
  to = 0;
  half = 0;
  private x0 = 0;
  private spacing = 0;
  private series: ISeriesApi<SeriesType, Time> | null = null;
  readonly boxes: Box[] = [];
  readonly groups: Box[][] = Array.from({ length: BOX_SLOTS }, () => []);
  readonly structure: StructureLine[] = [];
  readonly structureGroups: StructureLine[][] = Array.from({ length: 8 }, () => []);
  readonly liquidity: LiquidityLevel[] = [];
  readonly liquidityGroups: LiquidityLevel[][] = [[], []];
  readonly sweeps: SweepPoint[] = [];

  /** Reads the scales; false when there is nothing to draw on. */
  update(s: Scales): boolean {
    const ts = s.chart.timeScale();
    const range = ts.getVisibleLogicalRange();
    const a = ts.logicalToCoordinate(0 as Logical);
    const b = ts.logicalToCoordinate(1 as Logical);
    if (range === null || a === null || b === null) return false;
    // The time scale is linear in the logical index: x = x0 + index * spacing.
    this.from = range.from - 1;
    this.to = range.to + 1;
    this.x0 = a;
    this.spacing = b - a;
    this.half = this.spacing / 2;
    this.series = s.series;
    return true;
  }
  x(index: number): number {
    return this.x0 + index * this.spacing;
  }
  y(price: number): number | null {
    return this.series?.priceToCoordinate(price) ?? null;
  }
}

