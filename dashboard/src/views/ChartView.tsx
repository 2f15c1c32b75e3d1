// The Chart view: candles of one symbol and timeframe with the session's
// SMC detections drawn over them (order blocks, FVGs, BOS/CHoCH, liquidity,
// sweeps, premium/discount) and the agent's fills, live over the stream.

import Alert from "@mui/material/Alert";
import FormControlLabel from "@mui/material/FormControlLabel";
import MenuItem from "@mui/material/MenuItem";
import Stack from "@mui/material/Stack";
import Switch from "@mui/material/Switch";
import TextField from "@mui/material/TextField";
import { useTheme } from "@mui/material/styles";
import { useMemo, useState } from "react";
import { Section } from "../components/Section";
import { chartColours } from "../chart/colours";
import { OverlayLegend } from "../chart/OverlayLegend";
import { buildOverlays, countOverlays, withoutFlipped } from "../chart/overlays";
import PriceChart from "../chart/PriceChart";
import { baseTimeframe, symbolChoices, timeframeChoices } from "../chart/symbols";
import { timeframeMs } from "../chart/timeIndex";
import { seriesMarkers, tradeMarks } from "../chart/trades";
import type { SessionSummary } from "../chart/types";
import { useMarketData } from "../chart/useMarketData";

const CANDLES = 1000;
const FALLBACK_SYMBOL = "BTCUSDT";

export default function ChartView() {
  const theme = useTheme();
  const colours = useMemo(() => chartColours(theme), [theme]);
  const [chosenSymbol, setSymbol] = useState<string | null>(null);
  const [timeframe, setTimeframe] = useState("1m");
  const [sessions, setSessions] = useState<SessionSummary[]>([]);
  const symbols = useMemo(() => symbolChoices(sessions, FALLBACK_SYMBOL), [sessions]);
  // Until one is chosen, the symbol of the newest session.
  const symbol = chosenSymbol ?? symbols[0] ?? FALLBACK_SYMBOL;
  const data = useMarketData(symbol, timeframe, CANDLES);
  if (data.sessions !== sessions && data.sessions.length > 0) setSessions(data.sessions);
  const timeframes = timeframeChoices(baseTimeframe(sessions, symbol));
  const dur = timeframeMs(timeframe) ?? 60_000;

  const overlays = useMemo(
    () => buildOverlays(data.events, data.bars.map((b) => b.openMs), dur),
    [data.events, data.bars, dur],
  );
  const marks = useMemo(() => tradeMarks(data.fills, symbol, data.session), [data.fills, symbol, data.session]);
  const [flipped, setFlipped] = useState(false);
  const drawn = useMemo(() => (flipped ? overlays : withoutFlipped(overlays)), [overlays, flipped]);
  const markers = useMemo(() => seriesMarkers(marks, data.bars, dur, colours.markers), [marks, data.bars, dur, colours]);
  const counts = countOverlays(overlays);

  return (
    <Section title={`Chart · ${symbol} · ${timeframe}`}>
      <Stack direction={{ xs: "column", sm: "row" }} spacing={2} sx={{ mb: 2 }}>
        <TextField
          select
          size="small"
          label="Symbol"
          value={symbol}
          onChange={(e) => setSymbol(e.target.value)}
          sx={{ minWidth: 160 }}
        >
          {(symbols.includes(symbol) ? symbols : [symbol, ...symbols]).map((s) => (
            <MenuItem key={s} value={s}>
              {s}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          select
          size="small"
          label="Timeframe"
          value={timeframe}
          onChange={(e) => setTimeframe(e.target.value)}
          sx={{ minWidth: 120 }}
        >
          {timeframes.map((t) => (
            <MenuItem key={t.name} value={t.name} disabled={!t.allowed}>
              {t.name}
            </MenuItem>
          ))}
        </TextField>
        <FormControlLabel
          control={<Switch checked={flipped} onChange={(e) => setFlipped(e.target.checked)} />}
          label="Breakers and inverse FVGs"
        />
      </Stack>
      {data.status === "empty" && (
        <Alert severity="info" sx={{ mb: 1 }}>
          No candles yet for {symbol}: start a paper session on the Trading view.
        </Alert>
      )}
      {data.status === "error" && data.message && (
        <Alert severity="error" sx={{ mb: 1 }}>
          {data.message}
        </Alert>
      )}
      {data.status === "ready" && data.message && (
        <Alert severity="warning" sx={{ mb: 1 }}>
          {data.message}
        </Alert>
      )}
      <PriceChart
        bars={data.bars}
        overlays={drawn}
        markers={markers}
        colours={colours}
        intraday={dur < 86_400_000}
        decimals={data.decimals}
        label={`Candlestick chart of ${symbol} on ${timeframe} with SMC overlays: ${data.bars.length} candles`}
      />
      <OverlayLegend counts={counts} trades={markers.length} colours={colours} />
    </Section>
  );
}
