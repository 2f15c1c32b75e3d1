// The chart's colours for the dark and light themes: bullish objects in
// cool colours, bearish in warm ones, with enough contrast on either paper.

import type { BoxKind } from "./overlays";
import type { MarkerColours } from "./trades";

export interface ChartColours {
  background: string;
  text: string;
  grid: string;
  up: string;
  down: string;
  box: Record<BoxKind, { bull: string; bear: string }>;
  bos: { bull: string; bear: string };
  choch: { bull: string; bear: string };
  liquidity: { bull: string; bear: string };
  sweep: string;
  premium: string;
  discount: string;
  equilibrium: string;
  markers: MarkerColours;
}

/** The part of a MUI theme the chart reads. */
export interface ThemeLike {
  palette: { mode: "light" | "dark"; background: { paper: string }; text: { primary: string } };
}

export function chartColours(theme: ThemeLike): ChartColours {
  const dark = theme.palette.mode === "dark";
  return {
    background: theme.palette.background.paper,
    text: theme.palette.text.primary,
    grid: dark ? "rgba(240,246,252,0.06)" : "rgba(31,35,40,0.08)",
    up: dark ? "#26a69a" : "#1b7f4d",
    down: dark ? "#ef5350" : "#c62828",
    box: {
      ob: { bull: dark ? "#2979ff" : "#1565c0", bear: dark ? "#f23645" : "#c62828" },
      breaker_block: { bull: dark ? "#26c6da" : "#00838f", bear: dark ? "#ff9800" : "#e65100" },
      fvg: { bull: dark ? "#26a69a" : "#00796b", bear: dark ? "#e91e63" : "#ad1457" },
      inverse_fvg: { bull: dark ? "#7e57c2" : "#5e35b1", bear: dark ? "#ffb300" : "#ef6c00" },
    },
    bos: { bull: dark ? "#5c9dff" : "#0b5cad", bear: dark ? "#ff6b74" : "#b42318" },
    choch: { bull: dark ? "#4dd0e1" : "#00838f", bear: dark ? "#ffab40" : "#c25e00" },
    liquidity: { bull: dark ? "#ffd54f" : "#8d6e00", bear: dark ? "#80deea" : "#006978" },
    sweep: dark ? "#ffd54f" : "#6d4c00",
    premium: dark ? "rgba(239,83,80,0.07)" : "rgba(198,40,40,0.06)",
    discount: dark ? "rgba(38,166,154,0.07)" : "rgba(0,121,107,0.06)",
    equilibrium: dark ? "rgba(201,209,217,0.55)" : "rgba(31,35,40,0.5)",
    markers: {
      buy: dark ? "#00e676" : "#1b7f4d",
      sell: dark ? "#ff4081" : "#b42318",
      exit: dark ? "#e6edf3" : "#3d4650",
    },
  };
}

/** `#rrggbb` with an alpha, as rgba(). */
export function withAlpha(hex: string, alpha: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) return hex;
  const [r, g, b] = [m[1], m[2], m[3]].map((x) => parseInt(x ?? "0", 16));
  return `rgba(${r},${g},${b},${alpha})`;
}

/** The box kinds in the order of their style slots. */
export const BOX_KIND_ORDER: readonly BoxKind[] = ["ob", "breaker_block", "fvg", "inverse_fvg"];

/**
 * The zone styles as canvas colour strings, made once per palette rather
 * than per box and frame: `fill[boxStyle(kind, direction, open)]`, and the
 * outline of order blocks and breakers `stroke[boxStyle(kind, direction, false)]`.
 */
export interface BoxStyles {
  fill: readonly string[];
  stroke: readonly string[];
}

/** A box's style slot: kind, then bull / bear, then closed / open. */
export function boxStyle(kind: BoxKind, direction: number, open: boolean): number {
  const k = kind === "ob" ? 0 : kind === "breaker_block" ? 1 : kind === "fvg" ? 2 : 3;
  return k * 4 + (direction > 0 ? 0 : 2) + (open ? 1 : 0);
}

export function boxStyles(c: ChartColours): BoxStyles {
  const fill: string[] = [];
  const stroke: string[] = [];
  for (const kind of BOX_KIND_ORDER) {
    const flipped = kind === "breaker_block" || kind === "inverse_fvg";
    for (const colour of [c.box[kind].bull, c.box[kind].bear]) {
      for (const open of [false, true]) {
        fill.push(withAlpha(colour, flipped ? 0.08 : open ? 0.22 : 0.14));
        stroke.push(withAlpha(colour, 0.7));
      }
    }
  }
  return { fill, stroke };
}
