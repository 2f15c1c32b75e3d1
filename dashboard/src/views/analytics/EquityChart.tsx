// Equity (area, top pane) and drawdown below it (area in percent, second
// pane) drawn with lightweight-charts, imported on first use so the
// library stays out of the initial JavaScript.

import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import { useTheme } from "@mui/material/styles";
import { useEffect, useRef, useState } from "react";
import type { UTCTimestamp } from "lightweight-charts";
import type { Curve } from "./curve";

export function EquityChart({ curve }: { curve: Curve }) {
  const box = useRef<HTMLDivElement>(null);
  const theme = useTheme();
  const [failure, setFailure] = useState<string | null>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    let disposed = false;
    let remove: (() => void) | null = null;
    import("lightweight-charts")
      .then(({ createChart, AreaSeries, ColorType, LineType }) => {
        if (disposed) return;
        const chart = createChart(element, {
          autoSize: true,
          layout: {
            background: { type: ColorType.Solid, color: theme.palette.background.paper },
            textColor: theme.palette.text.primary,
            panes: { separatorColor: theme.palette.divider },
          },
          grid: { vertLines: { color: theme.palette.divider }, horzLines: { color: theme.palette.divider } },
          timeScale: { timeVisible: true },
        });
        const equity = chart.addSeries(AreaSeries, {
          title: curve.stepped ? "Equity (stepped, from closed trades)" : "Equity",
          lineColor: theme.palette.primary.main,
          topColor: "rgba(33, 150, 243, 0.35)",
          bottomColor: "rgba(33, 150, 243, 0.02)",
          lineType: curve.stepped ? LineType.WithSteps : LineType.Simple,
        });
        equity.setData(curve.equity.map((p) => ({ time: p.time as UTCTimestamp, value: p.value })));
        const drawdown = chart.addSeries(
          AreaSeries,
          {
            title: "Drawdown %",
            lineColor: theme.palette.error.main,
            topColor: "rgba(218, 54, 51, 0.05)",
            bottomColor: "rgba(218, 54, 51, 0.4)",
            invertFilledArea: true,
            lineType: curve.stepped ? LineType.WithSteps : LineType.Simple,
          },
          1,
        );
        drawdown.setData(curve.drawdown.map((p) => ({ time: p.time as UTCTimestamp, value: p.value })));
        chart.panes()[1]?.setHeight(110);
        chart.timeScale().fitContent();
        remove = () => chart.remove();
      })
      .catch((e: unknown) => setFailure(e instanceof Error ? e.message : String(e)));
    return () => {
      disposed = true;
      remove?.();
    };
  }, [curve, theme]);
  if (failure) return <Alert severity="warning">The chart could not be drawn: {failure}</Alert>;
  return (
    <Box
      ref={box}
      role="img"
      aria-label={curve.stepped ? "Equity (stepped, from closed trades) and drawdown chart" : "Equity and drawdown chart"}
      data-testid="equity-chart"
      sx={{ height: 360, width: "100%", minWidth: 300 }}
    />
  );
}
