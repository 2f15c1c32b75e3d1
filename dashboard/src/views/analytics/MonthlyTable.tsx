// Monthly returns as a year × month heat table: green for gains, red for
// losses, stronger with size; the year column compounds its months.

import Table from "@mui/material/Table";
import TableBody from "@mui/material/TableBody";
import TableCell from "@mui/material/TableCell";
import TableHead from "@mui/material/TableHead";
import TableRow from "@mui/material/TableRow";
import { percent } from "../../format";
import type { MonthlyReturn } from "./types";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Years ascending, each with its twelve months (null where absent) and the compounded year. */
export function byYear(months: MonthlyReturn[]): { year: number; months: (number | null)[]; total: number }[] {
  const years = new Map<number, (number | null)[]>();
  for (const m of months) {
    const row = years.get(m.year) ?? Array<number | null>(12).fill(null);
    if (m.month >= 1 && m.month <= 12) row[m.month - 1] = m.return;
    years.set(m.year, row);
  }
  return [...years.entries()]
    .sort(([a], [b]) => a - b)
    .map(([year, row]) => ({ year, months: row, total: row.reduce<number>((acc, r) => acc * (1 + (r ?? 0)), 1) - 1 }));
}

/** A background for a return: alpha grows with size, full at ±10 %. */
export function heat(value: number | null): string | undefined {
  if (value === null || value === 0) return undefined;
  const alpha = Math.min(1, Math.abs(value) / 0.1) * 0.55 + 0.1;
  return value > 0 ? `rgba(46, 160, 67, ${alpha.toFixed(2)})` : `rgba(218, 54, 51, ${alpha.toFixed(2)})`;
}

export function MonthlyTable({ months }: { months: MonthlyReturn[] }) {
  const rows = byYear(months);
  if (rows.length === 0) return <p>No monthly returns.</p>;
  return (
    <Table size="small" aria-label="Monthly returns" data-testid="monthly-returns">
      <TableHead>
        <TableRow>
          <TableCell component="th" scope="col">Year</TableCell>
          {MONTHS.map((m) => (
            <TableCell key={m} component="th" scope="col" align="right">{m}</TableCell>
          ))}
          <TableCell component="th" scope="col" align="right">Year</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {rows.map((row) => (
          <TableRow key={row.year}>
            <TableCell component="th" scope="row">{row.year}</TableCell>
            {row.months.map((r, i) => (
              <TableCell key={i} align="right" sx={{ bgcolor: heat(r), whiteSpace: "nowrap", fontVariantNumeric: "tabular-nums" }}>
                {r === null ? "" : percent(r, 1)}
              </TableCell>
            ))}
            <TableCell align="right" sx={{ bgcolor: heat(row.total), fontWeight: 600, whiteSpace: "nowrap" }}>{percent(row.total, 1)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
