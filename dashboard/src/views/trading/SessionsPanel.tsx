// The sessions the server hosts, with Stop and Flatten per running session
// and `Start paper session` for those who may trade.

import Button from "@mui/material/Button";
import Chip from "@mui/material/Chip";
import Table from "@mui/material/Table";
import TableBody from "@mui/material/TableBody";
import TableCell from "@mui/material/TableCell";
import TableHead from "@mui/material/TableHead";
import TableRow from "@mui/material/TableRow";
import Typography from "@mui/material/Typography";
import { useState } from "react";
import { EmptyRow } from "../../components/EmptyRow";
import { api } from "../../api/client";
import { time } from "../../format";
import { ConfirmDialog } from "./ConfirmDialog";
import { FlattenDialog } from "./FlattenDialog";
import type { SessionInfo } from "./types";

const STATE_COLOR = { running: "success", stopping: "warning", ready: "default", stopped: "default", failed: "error" } as const;

interface SessionsProps {
  rows: SessionInfo[];
  trade: boolean;
  onChanged: () => void;
}

export function SessionsPanel({ rows, trade, onChanged }: SessionsProps) {
  const [stopping, setStopping] = useState<SessionInfo | null>(null);
  const [flattening, setFlattening] = useState<SessionInfo | null>(null);
  return (
    <>
      <Table size="small" data-testid="sessions" aria-label="Sessions">
        <TableHead>
          <TableRow>
            <TableCell>Session</TableCell>
            <TableCell>Mode</TableCell>
            <TableCell>State</TableCell>
            <TableCell>Venue</TableCell>
            <TableCell>Symbols</TableCell>
            <TableCell>Strategy</TableCell>
            <TableCell>Started</TableCell>
            <TableCell align="right">Orders sent</TableCell>
            {trade && <TableCell>Actions</TableCell>}
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.map((s) => (
            <TableRow key={s.id} data-session-id={s.id}>
              <TableCell>{s.id}</TableCell>
              <TableCell>{s.mode}</TableCell>
              <TableCell>
                <Chip size="small" label={s.state} color={STATE_COLOR[s.state] ?? "default"} />
                {s.error && (
                  <Typography variant="caption" color="error" component="div">
                    {s.error}
                  </Typography>
                )}
              </TableCell>
              <TableCell>
                {s.state === "running" ? (s.connected ? "Connected" : "Not connected") : "—"}
                <Typography variant="caption" color="text.secondary" component="div">
                  {s.request.venue_urls?.binance ?? "binance"}
                </Typography>
              </TableCell>
              <TableCell>{s.request.symbols.length > 0 ? s.request.symbols.join(", ") : "config's"}</TableCell>
              <TableCell>{s.request.strategy ?? "config's"}</TableCell>
              <TableCell>{time(s.started_at)}</TableCell>
              <TableCell align="right">{s.orders_sent}</TableCell>
              {trade && (
                <TableCell sx={{ whiteSpace: "nowrap" }}>
                  {s.state === "running" && (
                    <>
                      <Button size="small" color="error" aria-label={`Stop session ${s.id}`} onClick={() => setStopping(s)}>
                        Stop
                      </Button>
                      <Button size="small" color="warning" aria-label={`Flatten session ${s.id}`} onClick={() => setFlattening(s)}>
                        Flatten
                      </Button>
                    </>
                  )}
                </TableCell>
              )}
            </TableRow>
          ))}
          {rows.length === 0 && <EmptyRow colSpan={trade ? 9 : 8}>No sessions yet.</EmptyRow>}
        </TableBody>
      </Table>
      {stopping && (
        <ConfirmDialog
          title={`Stop session ${stopping.id}?`}
          danger
          onClose={() => setStopping(null)}
          onConfirm={async () => {
            await api<void>(`/sessions/${encodeURIComponent(stopping.id)}`, { method: "DELETE" });
            onChanged();
          }}
        >
          The session stops taking candles{stopping.mode === "live" ? " after a final reconciliation with the venue" : ""}. Its open
          positions stay as they are: flatten first to close them.
        </ConfirmDialog>
      )}
      {flattening && <FlattenDialog session={flattening.id} onClose={() => setFlattening(null)} onDone={onChanged} />}
    </>
  );
}
