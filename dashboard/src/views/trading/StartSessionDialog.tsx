// Starts a paper session (POST /sessions {"mode":"paper", …}): the
// exchange (Binance or Bybit), symbols, strategy, entry timeframe, a server
// speaking the exchange's protocol (such as a local `smc venue-sim`) and a
// bar limit, each optional (the config's values otherwise).

import TextField from "@mui/material/TextField";
import { useState } from "react";
import { api } from "../../api/client";
import { FormDialog } from "../../components/FormDialog";
import type { SessionInfo } from "./types";

export interface StartRequest {
  mode: "paper";
  symbols?: string[];
  strategy?: string;
  timeframes?: string[];
  venue?: "binance" | "bybit";
  venue_urls?: Partial<Record<"binance" | "bybit", string>>;
  max_bars?: number;
}

export interface StartFields {
  exchange?: "binance" | "bybit";
  symbols: string;
  strategy: string;
  timeframe: string;
  venue: string;
  maxBars: string;
}

/** The request the form's fields ask for, or the field that is wrong. */
export function startRequest(f: StartFields): { request: StartRequest } | { field: string; message: string } {
  const request: StartRequest = { mode: "paper" };
  const symbols = f.symbols.split(/[\s,]+/).filter(Boolean).map((s) => s.toUpperCase());
  if (symbols.some((s) => !/^[A-Z0-9]{1,20}$/.test(s))) return { field: "Symbols", message: "letters and digits, comma-separated" };
  if (symbols.length > 0) request.symbols = symbols;
  if (f.strategy) request.strategy = f.strategy;
  if (f.timeframe.trim()) request.timeframes = [f.timeframe.trim()];
  const venue = f.venue.trim().replace(/^(https?|wss?):\/\//, "");
  if (venue && !/^[^\s/]+:\d{1,5}$/.test(venue)) return { field: "Venue URL", message: "HOST:PORT, e.g. 127.0.0.1:9100" };
  const exchange = f.exchange ?? "binance";
  if (exchange !== "binance") request.venue = exchange;
  if (venue) request.venue_urls = { [exchange]: venue };
  if (f.maxBars.trim()) {
    const n = Number(f.maxBars);
    if (!Number.isInteger(n) || n < 1) return { field: "Max bars", message: "a whole number of candles, 1 or more" };
    request.max_bars = n;
  }
  return { request };
}

export function StartSessionDialog({ onClose, onStarted }: { onClose: () => void; onStarted: (s: SessionInfo) => void }) {
  const [fields, setFields] = useState<StartFields>({ exchange: "binance", symbols: "", strategy: "", timeframe: "", venue: "", maxBars: "" });
  const field = (name: keyof StartFields) => ({
    value: fields[name] ?? "",
    onChange: (e: { target: { value: string } }) => setFields((f) => ({ ...f, [name]: e.target.value })),
  });
  const checked = startRequest(fields);
  return (
    <FormDialog
      title="Start paper session"
      label="Start paper session"
      submitLabel="Start"
      check={() => ("field" in checked ? `${checked.field}: ${checked.message}` : null)}
      send={async () => {
        if ("request" in checked) onStarted(await api<SessionInfo>("/sessions", { method: "POST", body: checked.request }));
      }}
      onClose={onClose}
    >
      <TextField label="Exchange" select fullWidth margin="dense" slotProps={{ select: { native: true } }} {...field("exchange")}>
        <option value="binance">Binance</option>
        <option value="bybit">Bybit</option>
      </TextField>
      <TextField label="Symbols" helperText="comma-separated; default: the config's" fullWidth margin="dense" {...field("symbols")} />
      <TextField label="Strategy" select fullWidth margin="dense" slotProps={{ select: { native: true } }} {...field("strategy")}>
        <option value="">The config's</option>
        <option value="smc">smc</option>
        <option value="sma_cross">sma_cross</option>
      </TextField>
      <TextField label="Timeframe" helperText="entry timeframe, e.g. 1m; default: the config's" fullWidth margin="dense" {...field("timeframe")} />
      <TextField
        label="Venue URL"
        helperText="a server speaking the exchange's protocol, HOST:PORT (e.g. a local smc venue-sim); default: the exchange"
        fullWidth
        margin="dense"
        {...field("venue")}
      />
      <TextField label="Max bars" helperText="stop after this many candles" inputMode="numeric" fullWidth margin="dense" {...field("maxBars")} />
    </FormDialog>
  );
}
