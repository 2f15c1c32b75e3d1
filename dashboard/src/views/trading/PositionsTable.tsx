// Open positions of every session, live; a trader closes one at market
// after a confirmation (POST /positions/flatten with its symbol).

import Button from "@mui/material/Button";
import Table from "@mui/material/Table";
import TableBody from "@mui/material/TableBody";
import TableCell from "@mui/material/TableCell";
import TableHead from "@mui/material/TableHead";
import TableRow from "@mui/material/TableRow";
import { useState } from "react";
import { EmptyRow } from "../../components/EmptyRow";
import { time } from "../../format";
import { FlattenDialog } from "./FlattenDialog";
import { decimal, quantity, NOWRAP } from "./show";
import { symbolOf, type PositionRow } from "./types";

interface PositionsProps {
  rows: PositionRow[];
  trade: boolean;
  onChanged: () => void;
}

export function PositionsTable({ rows, trade, onChanged }: PositionsProps) {
  const [closing, setClosing] = useState<PositionRow | null>(null);
  return (
    <>
      <Table size="small" data-testid="positions" sx={NOWRAP} aria-label="Open positions">
        <TableHead>
          <TableRow>
            <TableCell>Session</TableCell>
            <TableCell>Symbol</TableCell>
            <TableCell align="right">Quantity</TableCell>
            <TableCell align="right">Average price</TableCell>
            <TableCell align="right">Realized P&L</TableCell>
            <TableCell>Updated</TableCell>
            {trade && <TableCell>Action</TableCell>}
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.map((p) => (
            <TableRow key={`${p.session}/${p.instrument}`}>
              <TableCell>{p.session}</TableCell>
              <TableCell>{symbolOf(p.instrument)}</TableCell>
              <TableCell align="right" sx={{ color: p.qty.startsWith("-") ? "error.main" : "success.main" }}>
                {quantity(p.qty)}
              </TableCell>
              <TableCell align="right">{decimal(p.avg_price)}</TableCell>
              <TableCell align="right">{decimal(p.realized_pnl)}</TableCell>
              <TableCell>{time(p.time)}</TableCell>
              {trade && (
                <TableCell>
                  <Button
                    size="small"
                    color="warning"
                    aria-label={`Flatten ${symbolOf(p.instrument)} in ${p.session}`}
                    onClick={() => setClosing(p)}
                  >
                    Flatten
                  </Button>
                </TableCell>
              )}
            </TableRow>
          ))}
          {rows.length === 0 && <EmptyRow colSpan={trade ? 7 : 6}>No open positions.</EmptyRow>}
        </TableBody>
      </Table>
      {closing && (
        <FlattenDialog
          session={closing.session}
          symbol={symbolOf(closing.instrument)}
          onClose={() => setClosing(null)}
          onDone={onChanged}
        />
      )}
    </>
  );
}
