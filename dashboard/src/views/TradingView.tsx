// The Trading view: equity and P&L, sessions (start paper, stop, flatten),
// the order ticket, open orders (cancel), positions (flatten) and recent
// fills, live over the stream. Viewers and auditors see no order controls.

import Alert from "@mui/material/Alert";
import Button from "@mui/material/Button";
import { useState } from "react";
import { useSigned } from "../auth/AuthContext";
import { canTrade } from "../auth/jwt";
import { Section } from "../components/Section";
import { EquityPanel } from "./trading/EquityPanel";
import { FillsTable } from "./trading/FillsTable";
import { OrdersTable } from "./trading/OrdersTable";
import { OrderTicket } from "./trading/OrderTicket";
import { PositionsTable } from "./trading/PositionsTable";
import { SessionsPanel } from "./trading/SessionsPanel";
import { StartSessionDialog } from "./trading/StartSessionDialog";
import { useTradingData } from "./trading/useTradingData";

function Problem({ error }: { error: string | null }) {
  return error ? (
    <Alert severity="error" sx={{ mb: 1 }}>
      {error}
    </Alert>
  ) : null;
}

export default function TradingView() {
  const { claims } = useSigned();
  const trade = canTrade(claims.role);
  const { sessions, orders, positions, fills, pnl } = useTradingData();
  const [starting, setStarting] = useState(false);
  const afterAction = () => {
    sessions.reload();
    orders.reload();
    positions.reload();
  };
  return (
    <>
      <Section title="Equity">
        <Problem error={pnl.error} />
        <EquityPanel pnl={pnl.data ?? []} sessions={sessions.data ?? []} positions={positions.data ?? []} />
      </Section>
      <Section
        title="Sessions"
        action={
          trade && (
            <Button variant="outlined" size="small" onClick={() => setStarting(true)}>
              Start paper session
            </Button>
          )
        }
      >
        <Problem error={sessions.error} />
        <SessionsPanel rows={sessions.data ?? []} trade={trade} onChanged={afterAction} />
      </Section>
      {trade && (
        <Section title="Order ticket">
          <OrderTicket sessions={sessions.data ?? []} onPlaced={() => orders.reload()} />
        </Section>
      )}
      <Section title="Open orders">
        <Problem error={orders.error} />
        <OrdersTable rows={orders.data ?? []} trade={trade} onChanged={() => orders.reload()} />
      </Section>
      <Section title="Positions">
        <Problem error={positions.error} />
        <PositionsTable rows={positions.data ?? []} trade={trade} onChanged={afterAction} />
      </Section>
      <Section title="Recent fills">
        <Problem error={fills.error} />
        <FillsTable rows={fills.data ?? []} />
      </Section>
      {starting && <StartSessionDialog onClose={() => setStarting(false)} onStarted={() => sessions.reload()} />}
    </>
  );
}
