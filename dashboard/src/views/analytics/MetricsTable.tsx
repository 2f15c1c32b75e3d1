// A backtest's metrics (result.metrics) with the account summary, each
// formatted by what it measures; metrics not known here are shown as given.

import Table from "@mui/material/Table";
import TableBody from "@mui/material/TableBody";
import TableCell from "@mui/material/TableCell";
import TableHead from "@mui/material/TableHead";
import TableRow from "@mui/material/TableRow";
import { money, percent } from "../../format";
import type { BacktestResult } from "./types";

type Kind = "percent" | "ratio" | "quote" | "count" | "days";

const KNOWN: [string, string, Kind][] = [
  ["total_return", "Total return", "percent"],
  ["cagr", "CAGR", "percent"],
  ["sharpe", "Sharpe", "ratio"],
  ["sortino", "Sortino", "ratio"],
  ["calmar", "Calmar", "ratio"],
  ["max_drawdown", "Max drawdown", "percent"],
  ["max_drawdown_duration_ms", "Longest drawdown", "days"],
  ["volatility", "Volatility", "percent"],
  ["win_rate", "Win rate", "percent"],
  ["profit_factor", "Profit factor", "ratio"],
  ["expectancy", "Expectancy per trade", "quote"],
  ["avg_win", "Average win", "quote"],
  ["avg_loss", "Average loss", "quote"],
  ["trades", "Trades", "count"],
  ["exposure", "Exposure (time in market)", "percent"],
  ["var_95", "VaR 95 %", "percent"],
  ["cvar_95", "CVaR 95 %", "percent"],
  ["var_99", "VaR 99 %", "percent"],
  ["cvar_99", "CVaR 99 %", "percent"],
];

export function formatMetric(value: number | null | undefined, kind: Kind): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  switch (kind) {
    case "percent":
      return percent(value);
    case "ratio":
      return value.toFixed(2);
    case "quote":
      return money(String(value));
    case "count":
      return String(Math.round(value));
    case "days":
      return `${(value / 86_400_000).toFixed(1)} days`;
  }
}

export function MetricsTable({ result }: { result: BacktestResult }) {
  const metrics = result.metrics ?? {};
  const known = new Set(KNOWN.map(([key]) => key));
  const rows: [string, string][] = [
    ["Starting cash", money(result.starting_cash)],
    ["Final equity", money(result.final_equity)],
    ["Fees", money(result.fees)],
    ["Bars", result.bars === undefined ? "—" : String(result.bars)],
    ...KNOWN.filter(([key]) => key in metrics).map(([key, label, kind]): [string, string] => [label, formatMetric(metrics[key], kind)]),
    ...Object.keys(metrics)
      .filter((key) => !known.has(key))
      .map((key): [string, string] => [key, String(metrics[key] ?? "—")]),
  ];
  return (
    <Table size="small" aria-label="Metrics" sx={{ maxWidth: 520 }}>
      <TableHead>
        <TableRow>
          <TableCell component="th" scope="col">Metric</TableCell>
          <TableCell component="th" scope="col" align="right">Value</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {rows.map(([label, value]) => (
          <TableRow key={label}>
            <TableCell component="th" scope="row">{label}</TableCell>
            <TableCell align="right" sx={{ fontVariantNumeric: "tabular-nums" }}>{value}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
