// Open orders of every session, live, with the strategy's setup behind
// each; a trader cancels one after a confirmation (DELETE /orders/{id}).

import Button from "@mui/material/Button";
import Table from "@mui/material/Table";
import TableBody from "@mui/material/TableBody";
import TableCell from "@mui/material/TableCell";
import TableHead from "@mui/material/TableHead";
import TableRow from "@mui/material/TableRow";
import { useState } from "react";
import { EmptyRow } from "../../components/EmptyRow";
import { api } from "../../api/client";
import { ConfirmDialog } from "./ConfirmDialog";
import { decimal, kindText, quantity, sideText, NOWRAP } from "./show";
import { symbolOf, type OpenOrderRow } from "./types";

const STATUS: Record<OpenOrderRow["status"], string> = {
  submitted: "Submitted",
  accepted: "Open",
  cancel_requested: "Cancelling",
};

interface OrdersProps {
  rows: OpenOrderRow[];
  trade: boolean;
  onChanged: () => void;
}

export function OrdersTable({ rows, trade, onChanged }: OrdersProps) {
  const [cancelling, setCancelling] = useState<OpenOrderRow | null>(null);
  return (
    <>
      <Table size="small" data-testid="open-orders" sx={NOWRAP} aria-label="Open orders">
        <TableHead>
          <TableRow>
            <TableCell>Session</TableCell>
            <TableCell>Order</TableCell>
            <TableCell>Symbol</TableCell>
            <TableCell>Side</TableCell>
            <TableCell>Type</TableCell>
            <TableCell align="right">Quantity</TableCell>
            <TableCell align="right">Filled</TableCell>
            <TableCell align="right">Price</TableCell>
            <TableCell align="right">Stop price</TableCell>
            <TableCell>Setup</TableCell>
            <TableCell>Status</TableCell>
            {trade && <TableCell>Action</TableCell>}
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.map((r) => (
            <TableRow key={`${r.session}/${r.order.client_id}`} data-order-id={r.order.client_id}>
              <TableCell>{r.session}</TableCell>
              <TableCell sx={{ fontFamily: "monospace", fontSize: 12 }}>{r.order.client_id}</TableCell>
              <TableCell>{symbolOf(r.order.instrument)}</TableCell>
              <TableCell>{sideText(r.order.side)}</TableCell>
              <TableCell>{kindText(r.order.kind)}</TableCell>
              <TableCell align="right">{quantity(r.order.qty)}</TableCell>
              <TableCell align="right">{quantity(r.filled_qty)}</TableCell>
              <TableCell align="right">{decimal(r.order.kind.price)}</TableCell>
              <TableCell align="right">{decimal(r.order.kind.trigger)}</TableCell>
              <TableCell>{r.setup ?? "—"}</TableCell>
              <TableCell>{STATUS[r.status] ?? r.status}</TableCell>
              {trade && (
                <TableCell>
                  <Button
                    size="small"
                    color="warning"
                    aria-label={`Cancel order ${r.order.client_id}`}
                    disabled={r.status === "cancel_requested"}
                    onClick={() => setCancelling(r)}
                  >
                    Cancel
                  </Button>
                </TableCell>
              )}
            </TableRow>
          ))}
          {rows.length === 0 && <EmptyRow colSpan={trade ? 12 : 11}>No open orders.</EmptyRow>}
        </TableBody>
      </Table>
      {cancelling && (
        <ConfirmDialog
          title="Cancel this order?"
          confirmLabel="Confirm"
          danger
          onClose={() => setCancelling(null)}
          onConfirm={async () => {
            await api<void>(`/orders/${encodeURIComponent(cancelling.order.client_id)}`, { method: "DELETE" });
            onChanged();
          }}
        >
          {sideText(cancelling.order.side)} {quantity(cancelling.order.qty)} {symbolOf(cancelling.order.instrument)} (
          {kindText(cancelling.order.kind)}), order {cancelling.order.client_id} in session {cancelling.session}. A
          part already filled stays filled.
        </ConfirmDialog>
      )}
    </>
  );
}
