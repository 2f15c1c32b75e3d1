// Confirms and sends a flatten: POST /positions/flatten for one symbol of
// a session, or every position of it; says which closing orders it placed.

import { api } from "../../api/client";
import { ConfirmDialog } from "./ConfirmDialog";

interface FlattenProps {
  session: string;
  /** Only this symbol; every position of the session when absent. */
  symbol?: string;
  onClose: () => void;
  onDone: (orders: string[]) => void;
}

export function FlattenDialog({ session, symbol, onClose, onDone }: FlattenProps) {
  return (
    <ConfirmDialog
      title={symbol ? `Flatten ${symbol}?` : `Flatten session ${session}?`}
      danger
      onClose={onClose}
      onConfirm={async () => {
        const body = symbol ? { session, symbol } : { session };
        const answer = await api<{ orders: string[] }>("/positions/flatten", { method: "POST", body });
        onDone(answer?.orders ?? []);
      }}
    >
      {symbol
        ? `Cancels the orders of the ${symbol} position in session ${session} and closes it at market.`
        : `Cancels the orders of every open position in session ${session} and closes them at market.`}
    </ConfirmDialog>
  );
}
