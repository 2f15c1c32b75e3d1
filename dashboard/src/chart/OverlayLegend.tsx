// What the chart draws and how many of each: a colour key with counts
// (data-testid="overlay-counts" holds the counts as one line of text, for
// end-to-end tests that check the overlays came from real detections).

import Box from "@mui/material/Box";
import Typography from "@mui/material/Typography";
import type { ChartColours } from "./colours";
import type { OverlayCounts } from "./overlays";

export function countsLine(c: OverlayCounts, trades: number): string {
  return [
    `order blocks: ${c.orderBlocks}`,
    `FVGs: ${c.fvgs}`,
    `structure: ${c.structure}`,
    `liquidity: ${c.liquidity}`,
    `trades: ${trades}`,
    `breakers: ${c.breakers}`,
    `inverse FVGs: ${c.inverseFvgs}`,
    `sweeps: ${c.sweeps}`,
    `ranges: ${c.ranges}`,
  ].join(" · ");
}

function Key({ colour, text }: { colour: string; text: string }) {
  return (
    <Box component="span" sx={{ display: "inline-flex", alignItems: "center", gap: 0.5, mr: 1.5, whiteSpace: "nowrap" }}>
      <Box component="span" aria-hidden sx={{ width: 10, height: 10, borderRadius: "2px", bgcolor: colour, display: "inline-block" }} />
      {text}
    </Box>
  );
}

export function OverlayLegend({ counts, trades, colours }: { counts: OverlayCounts; trades: number; colours: ChartColours }) {
  return (
    <Box sx={{ mt: 1 }}>
      <Typography variant="caption" component="p" aria-hidden sx={{ display: "flex", flexWrap: "wrap", rowGap: 0.5 }}>
        <Key colour={colours.box.ob.bull} text={`Order blocks ${counts.orderBlocks}`} />
        <Key colour={colours.box.fvg.bull} text={`FVGs ${counts.fvgs}`} />
        <Key colour={colours.box.breaker_block.bull} text={`Breakers ${counts.breakers}`} />
        <Key colour={colours.box.inverse_fvg.bull} text={`Inverse FVGs ${counts.inverseFvgs}`} />
        <Key colour={colours.bos.bull} text={`BOS / CHoCH ${counts.structure}`} />
        <Key colour={colours.liquidity.bull} text={`EQH / EQL ${counts.liquidity}`} />
        <Key colour={colours.sweep} text={`Sweeps × ${counts.sweeps}`} />
        <Key colour={colours.equilibrium} text="Premium / discount" />
        <Key colour={colours.markers.buy} text={`Trades ${trades}`} />
      </Typography>
      <Typography
        data-testid="overlay-counts"
        component="p"
        sx={{ position: "absolute", width: "1px", height: "1px", overflow: "hidden", clip: "rect(0 0 0 0)", whiteSpace: "nowrap" }}
      >
        {countsLine(counts, trades)}
      </Typography>
    </Box>
  );
}
