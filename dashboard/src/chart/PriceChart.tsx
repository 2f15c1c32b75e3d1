// The candlestick chart itself: a lightweight-charts v5 chart sized by its
// container, its candles, the SMC overlay primitive and the trade markers.
// Live candles update the last bar in place; anything else resets the data.

import { useEffect, useRef } from "react";
import {
  CandlestickSeries,
  createChart,
  createSeriesMarkers,
  type IChartApi,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  type SeriesMarker,
  type UTCTimestamp,
} from "lightweight-charts";
import type { Bar } from "./candles";
import type { ChartColours } from "./colours";
import type { Overlays } from "./overlays";
import { SmcOverlayPrimitive } from "./primitive";
import { tickMarkLabel } from "./tickMarks";

export interface PriceChartProps {
  bars: readonly Bar[];
  overlays: Overlays;
  markers: SeriesMarker<UTCTimestamp>[];
  colours: ChartColours;
  /** Whether times of day matter on the time axis (sub-day timeframes). */
  intraday: boolean;
  /** Decimals of the prices. */
  decimals: number;
  /** An accessible description of what is drawn. */
  label: string;
}

interface Parts {
  chart: IChartApi;
  series: ISeriesApi<"Candlestick">;
  primitive: SmcOverlayPrimitive;
  markers: ISeriesMarkersPluginApi<UTCTimestamp>;
}

export function chartOptions(c: ChartColours, intraday: boolean) {
  return {
    layout: { background: { color: c.background }, textColor: c.text, attributionLogo: false },
    grid: { vertLines: { color: c.grid }, horzLines: { color: c.grid } },
    rightPriceScale: { borderColor: c.grid },
    timeScale: { borderColor: c.grid, timeVisible: intraday, secondsVisible: false, tickMarkFormatter: tickMarkLabel },
  };
}

export function seriesOptions(c: ChartColours, decimals: number) {
  return {
    upColor: c.up,
    downColor: c.down,
    borderVisible: false,
    wickUpColor: c.up,
    wickDownColor: c.down,
    priceFormat: { type: "price" as const, precision: decimals, minMove: 10 ** -decimals },
  };
}

export default function PriceChart({ bars, overlays, markers, colours, intraday, decimals, label }: PriceChartProps) {
  const host = useRef<HTMLDivElement | null>(null);
  const parts = useRef<Parts | null>(null);
  const shown = useRef<readonly Bar[]>([]);

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const chart = createChart(element, { autoSize: true, ...chartOptions(colours, intraday) });
    const series = chart.addSeries(CandlestickSeries, seriesOptions(colours, decimals));
    const primitive = new SmcOverlayPrimitive(colours);
    series.attachPrimitive(primitive);
    const plugin = createSeriesMarkers(series, []) as ISeriesMarkersPluginApi<UTCTimestamp>;
    parts.current = { chart, series, primitive, markers: plugin };
    shown.current = [];
    return () => {
      parts.current = null;
      chart.remove();
    };
    // The chart is made once; option changes are applied below.
  }, []);

  useEffect(() => {
    const p = parts.current;
    if (!p) return;
    p.chart.applyOptions(chartOptions(colours, intraday));
    p.series.applyOptions(seriesOptions(colours, decimals));
    p.primitive.setColours(colours);
  }, [colours, intraday, decimals]);

  useEffect(() => {
    const p = parts.current;
    if (!p) return;
    const before = shown.current;
    const grown = bars.length - before.length;
    // Bars up to `kept` unchanged and at most one new: a live candle.
    const kept = grown === 0 ? before.length - 2 : before.length - 1;
    const last = bars[bars.length - 1];
    const live = before.length > 0 && (grown === 0 || grown === 1) && bars[0] === before[0] && bars[kept] === before[kept];
    if (live && last) {
      p.series.update(last);
    } else {
      p.series.setData(bars as Bar[]);
      if (before.length === 0 && bars.length > 0) p.chart.timeScale().scrollToRealTime();
    }
    shown.current = bars;
  }, [bars]);

  useEffect(() => {
    parts.current?.primitive.setOverlays(overlays);
  }, [overlays]);

  useEffect(() => {
    parts.current?.markers.setMarkers(markers);
  }, [markers]);

  return (
    <div
      ref={host}
      data-testid="price-chart"
      role="img"
      aria-label={label}
      style={{ position: "relative", width: "100%", height: "clamp(300px, 60vh, 560px)" }}
    />
  );
}
