// Recent fills of every session, newest first, live from the fills topic,
// with the setup of the order each filled.

import Box from "@mui/material/Box";
import Table from "@mui/material/Table";
import TableBody from "@mui/material/TableBody";
import TableCell from "@mui/material/TableCell";
import TableHead from "@mui/material/TableHead";
import TableRow from "@mui/material/TableRow";
import { EmptyRow } from "../../components/EmptyRow";
import { time } from "../../format";
import { decimal, quantity, sideText, NOWRAP } from "./show";
import { symbolOf, type FillRow } from "./types";

/** Fills shown. */
export const FILLS_SHOWN = 50;

export function FillsTable({ rows }: { rows: FillRow[] }) {
  const latest = rows.slice(-FILLS_SHOWN).reverse();
  return (
    // A scrolling region of its own (focusable, so the keyboard scrolls it too).
    <Box sx={{ maxHeight: 520, overflow: "auto" }} tabIndex={0} role="region" aria-label="Recent fills, newest first">
      <Table size="small" data-testid="fills" sx={NOWRAP} aria-label="Recent fills" stickyHeader>
        <TableHead>
          <TableRow>
            <TableCell>Time</TableCell>
            <TableCell>Session</TableCell>
            <TableCell>Symbol</TableCell>
            <TableCell>Side</TableCell>
            <TableCell align="right">Quantity</TableCell>
            <TableCell align="right">Price</TableCell>
            <TableCell align="right">Fee</TableCell>
            <TableCell>Liquidity</TableCell>
            <TableCell>Setup</TableCell>
            <TableCell>Order</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {latest.map((f) => (
            <TableRow key={`${f.session}/${f.trade_id}/${f.client_id}`}>
              <TableCell>{time(f.time)}</TableCell>
              <TableCell>{f.session}</TableCell>
              <TableCell>{symbolOf(f.instrument)}</TableCell>
              <TableCell sx={{ color: f.side === "sell" ? "error.main" : "success.main" }}>{sideText(f.side)}</TableCell>
              <TableCell align="right">{quantity(f.qty)}</TableCell>
              <TableCell align="right">{decimal(f.price)}</TableCell>
              <TableCell align="right">{decimal(f.fee)}</TableCell>
              <TableCell>{f.liquidity}</TableCell>
              <TableCell>{f.setup ?? "—"}</TableCell>
              <TableCell sx={{ fontFamily: "monospace", fontSize: 12 }}>{f.client_id}</TableCell>
            </TableRow>
          ))}
          {latest.length === 0 && <EmptyRow colSpan={10}>No fills yet.</EmptyRow>}
        </TableBody>
      </Table>
    </Box>
  );
}
