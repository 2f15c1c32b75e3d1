// Equity and P&L: the sum over sessions and a row per session. Today's
// P&L is the exact sum of the sessions' `today_pnl` (equity less the equity
// when the session's current UTC day began, by its candles' clock). A server
// without that field gives P&L since start only: then today's P&L is that
// figure for sessions started today, and for older ones it says so rather
// than guess.

import Table from "@mui/material/Table";
import TableBody from "@mui/material/TableBody";
import TableCell from "@mui/material/TableCell";
import TableHead from "@mui/material/TableHead";
import TableRow from "@mui/material/TableRow";
import { Figure, FigureRow } from "../../components/Figure";
import { money, sign, time } from "../../format";
import { sum } from "./decimal";
import { NOWRAP } from "./show";
import { todaysPnl } from "./today";
import type { PnlRow, PositionRow, SessionInfo } from "./types";

/** A money figure, signed (+/-, green/red) when `signed`; "—" when unknown. */
function MoneyFigure({ label, value, note, signed }: { label: string; value: string | null; note?: string; signed?: boolean }) {
  const s = signed ? sign(value) : 0;
  const color = s > 0 ? "success.main" : s < 0 ? "error.main" : "text.primary";
  const shown = value === null ? "—" : `${s > 0 ? "+" : ""}${money(value)}`;
  return <Figure label={label} value={shown} note={note} size="h6" color={color} />;
}

interface EquityProps {
  pnl: PnlRow[];
  sessions: SessionInfo[];
  positions: PositionRow[];
  now?: number;
}

export function EquityPanel({ pnl, sessions, positions, now }: EquityProps) {
  const marked = pnl.filter((p) => p.equity !== null);
  const started = new Map(sessions.map((s) => [s.id, s.started_at]));
  const todays = todaysPnl(marked, started, now);
  const perDay = marked.some((p) => p.today_pnl !== undefined);
  const realizedOf = (session: string) => sum(positions.filter((p) => p.session === session).map((p) => p.realized_pnl)) ?? "0";
  return (
    <div data-testid="equity">
      <FigureRow sx={{ mb: 1 }}>
        <MoneyFigure label="Equity" value={sum(marked.map((p) => p.equity))} />
        <MoneyFigure label="Today's P&L" value={todays.value} signed note={todays.note} />
        <MoneyFigure label="P&L since start" value={sum(marked.map((p) => p.pnl))} signed />
      </FigureRow>
      {marked.length > 0 && (
        <Table size="small" aria-label="Equity per session" sx={NOWRAP}>
          <TableHead>
            <TableRow>
              <TableCell>Session</TableCell>
              <TableCell align="right">Equity</TableCell>
              <TableCell align="right">Cash</TableCell>
              <TableCell align="right">Starting equity</TableCell>
              <TableCell align="right">P&L since start</TableCell>
              {perDay && <TableCell align="right">Today's P&L</TableCell>}
              <TableCell align="right">Realized (open positions)</TableCell>
              <TableCell>Started</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {marked.map((p) => (
              <TableRow key={p.session}>
                <TableCell>{p.session}</TableCell>
                <TableCell align="right">{money(p.equity)}</TableCell>
                <TableCell align="right">{money(p.cash)}</TableCell>
                <TableCell align="right">{money(p.starting_equity)}</TableCell>
                <TableCell align="right">{money(p.pnl)}</TableCell>
                {perDay && <TableCell align="right">{money(p.today_pnl)}</TableCell>}
                <TableCell align="right">{money(realizedOf(p.session))}</TableCell>
                <TableCell>{time(started.get(p.session) ?? null)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </div>
  );
}
