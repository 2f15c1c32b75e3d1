// The risk limits (the config's risk_manager) and how much of each every
// session uses, with a bar per limit.

import Box from "@mui/material/Box";
import LinearProgress from "@mui/material/LinearProgress";
import Table from "@mui/material/Table";
import TableBody from "@mui/material/TableBody";
import TableCell from "@mui/material/TableCell";
import TableHead from "@mui/material/TableHead";
import TableRow from "@mui/material/TableRow";
import Typography from "@mui/material/Typography";
import { NOWRAP } from "../trading/show";
import type { PnlRow } from "../trading/types";
import type { Limits, RiskSession } from "./types";
import { limitUse } from "./use";

const SETTINGS: [keyof Limits, string][] = [
  ["max_position_size", "Max position size"],
  ["max_daily_loss", "Max daily loss"],
  ["stop_loss_percent", "Stop loss %"],
  ["max_drawdown_percent", "Max drawdown %"],
  ["max_leverage", "Max leverage"],
  ["max_portfolio_var_percent", "Max portfolio VaR %"],
  ["var_confidence", "VaR confidence"],
];

function Bar({ ratio, label }: { ratio: number | null; label: string }) {
  if (ratio === null) return null;
  const value = Math.min(100, Math.max(0, ratio * 100));
  const color = ratio >= 1 ? "error" : ratio >= 0.8 ? "warning" : "primary";
  return (
    <Box sx={{ display: "flex", alignItems: "center", gap: 1 }}>
      <LinearProgress variant="determinate" value={value} color={color} sx={{ flexGrow: 1, minWidth: 60 }} aria-label={label} />
      <Typography variant="caption">{(ratio * 100).toFixed(0)} %</Typography>
    </Box>
  );
}

export function LimitsPanel({ limits, sessions, pnl }: { limits: Limits; sessions: RiskSession[]; pnl: PnlRow[] }) {
  return (
    <>
      <Table size="small" aria-label="Risk limits" sx={NOWRAP} data-testid="risk-limits">
        <TableHead>
          <TableRow>
            {SETTINGS.map(([key, label]) => (
              <TableCell key={key}>{label}</TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          <TableRow>
            {SETTINGS.map(([key]) => (
              <TableCell key={key}>{limits[key] ?? "—"}</TableCell>
            ))}
          </TableRow>
        </TableBody>
      </Table>
      {sessions.map((s) => (
        <Box key={s.session} sx={{ mt: 2 }}>
          <Typography variant="subtitle2" component="h3">
            Session {s.session} · {s.risk_refusals} refused
          </Typography>
          <Table size="small" aria-label={`Limit use of ${s.session}`} data-testid={`limit-use-${s.session}`}>
            <TableHead>
              <TableRow>
                <TableCell>Limit</TableCell>
                <TableCell align="right">Used</TableCell>
                <TableCell align="right">Limit</TableCell>
                <TableCell sx={{ minWidth: 120 }}>Use</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {limitUse(s, limits, pnl.find((p) => p.session === s.session)).map((u) => (
                <TableRow key={u.label}>
                  <TableCell>
                    {u.label}
                    {u.note && (
                      <Typography variant="caption" color="text.secondary" component="div">
                        {u.note}
                      </Typography>
                    )}
                  </TableCell>
                  <TableCell align="right">{u.used}</TableCell>
                  <TableCell align="right">{u.limit}</TableCell>
                  <TableCell>
                    <Bar ratio={u.ratio} label={`${u.label} of ${s.session}: share of the limit used`} />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Box>
      ))}
    </>
  );
}
