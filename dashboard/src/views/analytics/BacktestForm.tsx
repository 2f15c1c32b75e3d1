// The form that submits a backtest: a data file under the server's
// api.data_dir (free text with suggestions: there is no listing
// endpoint), the strategy, its timeframes, starting cash and fee.

import Alert from "@mui/material/Alert";
import Autocomplete from "@mui/material/Autocomplete";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import MenuItem from "@mui/material/MenuItem";
import TextField from "@mui/material/TextField";
import { useState, type FormEvent } from "react";
import { ApiError, describe } from "../../api/client";
import type { NewBacktest } from "./types";

/** The sample files under testdata/market (the default api.data_dir). */
export const DATA_FILES = [
  "binance-spot/ETHUSDT-1h.csv",
  "binance-usdm/BTCUSDT-1m.csv",
  "binance-usdm/BTCUSDT-5m.csv",
  "bybit-spot/BTCUSDT-1m.csv",
  "coinbase/BTCUSD-1d.csv",
  "fxcm/GBPUSD-1m.csv",
  "oanda/EURUSD-1d.csv",
];

const DECIMAL = /^\d+(\.\d+)?$/;

interface Props {
  onSubmit: (request: NewBacktest) => Promise<unknown>;
}

export function BacktestForm({ onSubmit }: Props) {
  const [input, setInput] = useState(DATA_FILES[0] ?? "");
  const [strategy, setStrategy] = useState<NewBacktest["strategy"]>("smc");
  const [timeframes, setTimeframes] = useState("1h, 4h");
  const [cash, setCash] = useState("10000");
  const [fee, setFee] = useState("0.001");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function check(): Record<string, string> {
    const found: Record<string, string> = {};
    if (!input.trim()) found.input = "Name a CSV file under the server's data folder.";
    if (cash.trim() && (!DECIMAL.test(cash.trim()) || Number(cash) <= 0)) found.cash = "A positive number.";
    if (fee.trim() && (!DECIMAL.test(fee.trim()) || Number(fee) >= 1)) found.fee = "A fraction from 0 to below 1 (0.001 = 0.1 %).";
    return found;
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found = check();
    setErrors(found);
    setFailure(null);
    if (Object.keys(found).length > 0) return;
    const request: NewBacktest = {
      input: input.trim(),
      strategy,
      timeframes: timeframes.split(/[\s,]+/).filter(Boolean),
    };
    if (cash.trim()) request.cash = cash.trim();
    if (fee.trim()) request.fee = fee.trim();
    setBusy(true);
    try {
      await onSubmit(request);
    } catch (e) {
      if (e instanceof ApiError && e.field) setErrors({ [e.field]: e.message });
      else setFailure(describe(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Box component="form" onSubmit={submit} aria-label="New backtest" sx={{ display: "grid", gap: 1.5, gridTemplateColumns: { xs: "1fr", md: "2fr 1fr 1fr 1fr 1fr auto" }, alignItems: "start" }}>
      <Autocomplete
        freeSolo
        options={DATA_FILES}
        inputValue={input}
        onInputChange={(_e, value) => setInput(value)}
        renderInput={(params) => (
          <TextField {...params} label="Data file" size="small" required error={!!errors.input} helperText={errors.input ?? "Relative to the server's api.data_dir"} />
        )}
      />
      <TextField select label="Strategy" size="small" value={strategy} onChange={(e) => setStrategy(e.target.value as NewBacktest["strategy"])}>
        <MenuItem value="smc">smc</MenuItem>
        <MenuItem value="sma_cross">sma_cross</MenuItem>
      </TextField>
      <TextField label="Timeframes" size="small" value={timeframes} onChange={(e) => setTimeframes(e.target.value)} error={!!errors.timeframes} helperText={errors.timeframes ?? "Entry first, bias last"} />
      <TextField label="Cash" size="small" inputMode="decimal" value={cash} onChange={(e) => setCash(e.target.value)} error={!!errors.cash} helperText={errors.cash} />
      <TextField label="Fee" size="small" inputMode="decimal" value={fee} onChange={(e) => setFee(e.target.value)} error={!!errors.fee} helperText={errors.fee ?? "Per side, fraction"} />
      <Button type="submit" variant="contained" disabled={busy} sx={{ mt: 0.25 }}>
        Run backtest
      </Button>
      {(failure || errors.strategy || errors.params) && (
        <Alert severity="error" role="alert" sx={{ gridColumn: "1 / -1" }}>
          {failure ?? errors.strategy ?? errors.params}
        </Alert>
      )}
    </Box>
  );
}
