// Exposure per session: by symbol (notional at entry), by venue and by
// group at the last close, and the VaR; '—' where the server does not
// report one (older servers have no per-venue, per-group or VaR figures).

import Box from "@mui/material/Box";
import Table from "@mui/material/Table";
import TableBody from "@mui/material/TableBody";
import TableCell from "@mui/material/TableCell";
import TableHead from "@mui/material/TableHead";
import TableRow from "@mui/material/TableRow";
import Typography from "@mui/material/Typography";
import type { ReactNode } from "react";
import { money } from "../../format";
import { decimal } from "../trading/show";
import { symbolOf } from "../trading/types";
import type { RiskSession } from "./types";

function Small({ label, head, rows, empty }: { label: string; head: string[]; rows: ReactNode[][] | null; empty: string }) {
  return (
    <Box sx={{ flex: "1 1 260px", minWidth: 0, overflowX: "auto" }}>
      <Table size="small" aria-label={label}>
        <TableHead>
          <TableRow>
            {head.map((h, i) => (
              <TableCell key={h} align={i === 0 ? "left" : "right"}>
                {h}
              </TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {rows === null || rows.length === 0 ? (
            <TableRow>
              <TableCell colSpan={head.length}>{rows === null ? "—" : empty}</TableCell>
            </TableRow>
          ) : (
            rows.map((cells, r) => (
              <TableRow key={r}>
                {cells.map((c, i) => (
                  <TableCell key={i} align={i === 0 ? "left" : "right"}>
                    {c}
                  </TableCell>
                ))}
              </TableRow>
            ))
          )}
        </TableBody>
      </Table>
    </Box>
  );
}

const pct = (p: string | null | undefined) => (p === null || p === undefined ? "—" : `${p} %`);

export function ExposurePanel({ session: s }: { session: RiskSession }) {
  const varText =
    s.var === undefined ? "—" : s.var === null ? "not measured (no VaR cap, or too few returns yet)" : `${decimal(s.var.value)} (${s.var.percent} % of equity) at ${s.var.confidence}`;
  return (
    <Box sx={{ mt: 1 }} data-testid={`exposure-${s.session}`}>
      <Typography variant="subtitle2" component="h3">
        Session {s.session} · equity {money(s.equity)}
      </Typography>
      <Typography variant="body2" aria-label={`VaR of ${s.session}`}>
        VaR: {varText}
      </Typography>
      <Box sx={{ display: "flex", flexWrap: "wrap", gap: 2 }}>
        <Small
          label={`Exposure by symbol of ${s.session}`}
          head={["Symbol", "Notional at entry"]}
          rows={s.exposure.map((e) => [symbolOf(e.instrument), decimal(e.notional)])}
          empty="No positions."
        />
        <Small
          label={`Exposure by venue of ${s.session}`}
          head={["Venue", "Notional", "Of equity"]}
          rows={s.exposure_by_venue?.map((v) => [v.venue || "—", decimal(v.notional), pct(v.percent_of_equity)]) ?? null}
          empty="No positions."
        />
        <Small
          label={`Exposure by group of ${s.session}`}
          head={["Group", "Notional", "Of equity"]}
          rows={
            s.exposure_by_group?.map((g) => [
              `${g.group}${g.kind === "correlated" ? " (correlated)" : ""}`,
              decimal(g.notional),
              pct(g.percent_of_equity),
            ]) ?? null
          }
          empty="No positions."
        />
      </Box>
    </Box>
  );
}
