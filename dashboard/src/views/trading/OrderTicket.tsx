// The order ticket: Session, Symbol, Side, Type, Quantity, Price, Stop
// price; `Place order` opens a summary to `Confirm` before POST /orders,
// then shows the risk gate's answer or the server's refusal.

import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import TextField from "@mui/material/TextField";
import { useState, type FormEvent } from "react";
import { api, ApiError, describe } from "../../api/client";
import { ConfirmDialog } from "./ConfirmDialog";
import { newOrder, summary, type NewOrder, type TicketFields } from "./ticket";
import type { PlacedOrder, SessionInfo } from "./types";

type Outcome = { severity: "success" | "warning" | "error"; text: string };

function outcomeOf(placed: PlacedOrder): Outcome {
  const resized = placed.risk.startsWith("resized");
  return {
    severity: resized ? "warning" : "success",
    text: `Order ${placed.client_id} placed (${placed.qty} ${placed.symbol}); risk: ${placed.risk}.`,
  };
}

function refusalOf(e: unknown): Outcome {
  if (e instanceof ApiError && e.code === "risk_refused") return { severity: "error", text: `Refused by the risk gate: ${e.message}` };
  if (e instanceof ApiError && e.code === "order_refused") return { severity: "error", text: `Refused by the session: ${e.message}` };
  return { severity: "error", text: describe(e) };
}

export function OrderTicket({ sessions, onPlaced }: { sessions: SessionInfo[]; onPlaced: () => void }) {
  const running = sessions.filter((s) => s.state === "running");
  const first = running[0];
  const [f, setF] = useState<TicketFields>({
    session: first?.id ?? "",
    symbol: "",
    side: "buy",
    type: "market",
    qty: "",
    price: "",
    stopPrice: "",
  });
  const [symbolTouched, setSymbolTouched] = useState(false);
  const [pending, setPending] = useState<NewOrder | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  // A session chosen before the list loaded (or one that stopped) falls back to the first running one.
  const session = running.some((s) => s.id === f.session) ? f.session : (first?.id ?? "");
  // Until the user types one, the symbol is the session's first.
  const symbol = symbolTouched ? f.symbol : (running.find((s) => s.id === session)?.request.symbols[0] ?? "");
  const change = (name: keyof TicketFields) => (e: { target: { value: string } }) => {
    const value = e.target.value;
    if (name === "symbol") setSymbolTouched(true);
    setF((prev) => ({ ...prev, [name]: value }));
  };
  function place(event: FormEvent) {
    event.preventDefault();
    const checked = newOrder({ ...f, session, symbol });
    if ("error" in checked) {
      setOutcome({ severity: "error", text: checked.error });
      return;
    }
    setOutcome(null);
    setPending(checked.order);
  }
  const half = { flex: "1 1 140px", minWidth: 0 };
  return (
    <Box component="form" onSubmit={place} data-testid="order-ticket" aria-label="Order ticket" noValidate>
      <Box sx={{ display: "flex", flexWrap: "wrap", gap: 1 }}>
        <TextField label="Session" select sx={half} size="small" value={session} onChange={change("session")} slotProps={{ select: { native: true } }}>
          {running.length === 0 && <option value="">No running session</option>}
          {running.map((s) => (
            <option key={s.id} value={s.id}>
              {s.id} ({s.mode})
            </option>
          ))}
        </TextField>
        <TextField label="Symbol" sx={half} size="small" value={symbol} onChange={change("symbol")} />
        <TextField label="Side" select sx={half} size="small" value={f.side} onChange={change("side")} slotProps={{ select: { native: true } }}>
          <option value="buy">Buy</option>
          <option value="sell">Sell</option>
        </TextField>
        <TextField label="Type" select sx={half} size="small" value={f.type} onChange={change("type")} slotProps={{ select: { native: true } }}>
          <option value="market">Market</option>
          <option value="limit">Limit</option>
          <option value="stop">Stop</option>
        </TextField>
        <TextField label="Quantity" sx={half} size="small" value={f.qty} onChange={change("qty")} slotProps={{ htmlInput: { inputMode: "decimal" } }} />
        <TextField
          label="Price"
          sx={half}
          size="small"
          value={f.price}
          onChange={change("price")}
          disabled={f.type === "market"}
          helperText={f.type === "stop" ? "optional: a stop-limit" : undefined}
          slotProps={{ htmlInput: { inputMode: "decimal" } }}
        />
        <TextField
          label="Stop price"
          sx={half}
          size="small"
          value={f.stopPrice}
          onChange={change("stopPrice")}
          disabled={f.type !== "stop"}
          slotProps={{ htmlInput: { inputMode: "decimal" } }}
        />
      </Box>
      <Box sx={{ mt: 1, display: "flex", gap: 1, alignItems: "center", flexWrap: "wrap" }}>
        <Button type="submit" variant="contained" disabled={running.length === 0}>
          Place order
        </Button>
        {outcome && (
          <Alert severity={outcome.severity} role={outcome.severity === "error" ? "alert" : "status"} sx={{ flex: "1 1 260px" }}>
            {outcome.text}
          </Alert>
        )}
      </Box>
      {pending && (
        <ConfirmDialog
          title="Place this order?"
          onClose={() => setPending(null)}
          onConfirm={async () => {
            try {
              const placed = await api<PlacedOrder>("/orders", { method: "POST", body: pending });
              setOutcome(outcomeOf(placed));
              onPlaced();
            } catch (e) {
              setOutcome(refusalOf(e));
            }
          }}
        >
          {summary(pending)} The risk gate checks it like the strategy's orders.
        </ConfirmDialog>
      )}
    </Box>
  );
}
