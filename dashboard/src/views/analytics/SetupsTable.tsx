// The per-setup table of a backtest (result.setups): how each entry
// pattern and timeframe did.

import Table from "@mui/material/Table";
import TableBody from "@mui/material/TableBody";
import TableCell from "@mui/material/TableCell";
import TableHead from "@mui/material/TableHead";
import TableRow from "@mui/material/TableRow";
import { money, percent } from "../../format";
import type { SetupRow } from "./types";

const num = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? "—" : v.toFixed(2));
const quote = (v: number | null | undefined) => (v === null || v === undefined ? "—" : money(String(v)));

export function SetupsTable({ setups }: { setups: SetupRow[] }) {
  if (setups.length === 0) return <p>No trades, so no setups.</p>;
  return (
    <Table size="small" aria-label="Setups" sx={{ "& td, & th": { whiteSpace: "nowrap" } }}>
      <TableHead>
        <TableRow>
          {["Setup", "Trades", "Win rate", "Avg P&L", "Total P&L", "Profit factor"].map((h, i) => (
            <TableCell key={h} component="th" scope="col" align={i === 0 ? "left" : "right"}>{h}</TableCell>
          ))}
        </TableRow>
      </TableHead>
      <TableBody>
        {setups.map((s) => (
          <TableRow key={s.setup}>
            <TableCell component="th" scope="row">{s.setup}</TableCell>
            <TableCell align="right">{s.trades}</TableCell>
            <TableCell align="right">{percent(s.win_rate)}</TableCell>
            <TableCell align="right">{quote(s.avg_pnl)}</TableCell>
            <TableCell align="right" sx={{ color: (s.total_pnl ?? 0) < 0 ? "error.main" : "success.main" }}>{quote(s.total_pnl)}</TableCell>
            <TableCell align="right">{num(s.profit_factor)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
