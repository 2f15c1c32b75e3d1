// Each session's venue streams, reconnects, last candle and candle-to-order
// latency (GET /system or the latest `system` snapshot); with an older
// server, only what GET /sessions says (running, connected).

import Table from "@mui/material/Table";
import TableBody from "@mui/material/TableBody";
import TableCell from "@mui/material/TableCell";
import TableHead from "@mui/material/TableHead";
import TableRow from "@mui/material/TableRow";
import { EmptyRow } from "../../components/EmptyRow";
import { time } from "../../format";
import { NOWRAP } from "../trading/show";
import type { SessionInfo } from "../trading/types";
import { usAsMs } from "./show";
import type { SessionHealth } from "./types";

const stream = (s: SessionHealth["market_stream"]) => (s === null ? "—" : s === "connected" ? "Connected" : "Disconnected");

/** What an older server's session list can say, in the health shape. */
export function fromSessions(rows: SessionInfo[]): SessionHealth[] {
  return rows.map((s) => ({
    id: s.id,
    state: s.state,
    mode: s.mode,
    connected: s.connected,
    market_stream: null,
    user_stream: null,
    reconnects: Number.NaN,
    last_candle_time: null,
    candle_to_order_us: null,
  }));
}

export function VenueTable({ rows }: { rows: SessionHealth[] }) {
  return (
    <Table size="small" aria-label="Venue connections" sx={NOWRAP} data-testid="venue-connections">
      <TableHead>
        <TableRow>
          <TableCell>Session</TableCell>
          <TableCell>State</TableCell>
          <TableCell>Venue</TableCell>
          <TableCell>Market stream</TableCell>
          <TableCell>User stream</TableCell>
          <TableCell align="right">Reconnects</TableCell>
          <TableCell>Last candle</TableCell>
          <TableCell align="right">Candle→order p50</TableCell>
          <TableCell align="right">Candle→order p99</TableCell>
          <TableCell align="right">Orders measured</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {rows.map((s) => (
          <TableRow key={s.id} data-session-id={s.id}>
            <TableCell>{s.id}</TableCell>
            <TableCell>
              {s.state} ({s.mode})
            </TableCell>
            <TableCell sx={{ color: s.connected ? "success.main" : s.state === "running" ? "error.main" : undefined }}>
              {s.connected ? "Connected" : "Not connected"}
            </TableCell>
            <TableCell>{stream(s.market_stream)}</TableCell>
            <TableCell>{stream(s.user_stream)}</TableCell>
            <TableCell align="right">{Number.isNaN(s.reconnects) ? "—" : s.reconnects}</TableCell>
            <TableCell>{time(s.last_candle_time)}</TableCell>
            <TableCell align="right">{usAsMs(s.candle_to_order_us?.p50)}</TableCell>
            <TableCell align="right">{usAsMs(s.candle_to_order_us?.p99)}</TableCell>
            <TableCell align="right">{s.candle_to_order_us?.count ?? "—"}</TableCell>
          </TableRow>
        ))}
        {rows.length === 0 && <EmptyRow colSpan={10}>No sessions.</EmptyRow>}
      </TableBody>
    </Table>
  );
}
