// Exchanges as the config file has them, with any secret-looking key
// masked; an admin can store a venue's API key and secret (write-only,
// sealed by the server) with a TOTP step-up code.

import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import MenuItem from "@mui/material/MenuItem";
import Table from "@mui/material/Table";
import TableBody from "@mui/material/TableBody";
import TableCell from "@mui/material/TableCell";
import TableHead from "@mui/material/TableHead";
import TableRow from "@mui/material/TableRow";
import TextField from "@mui/material/TextField";
import Typography from "@mui/material/Typography";
import { useState, type FormEvent } from "react";
import { api, ApiError, describe } from "../../api/client";
import { Section } from "../../components/Section";
import { maskSecrets, show } from "./fields";

export const VENUES = ["binance", "bybit", "oanda"];

function ExchangeTable({ exchanges }: { exchanges: Record<string, unknown> }) {
  const rows = Object.entries(maskSecrets(exchanges) as Record<string, unknown>).flatMap(([venue, settings]) =>
    settings && typeof settings === "object" && !Array.isArray(settings)
      ? Object.entries(settings as Record<string, unknown>).map(([key, value]) => [venue, key, show(value)])
      : [[venue, "", show(settings)]],
  );
  if (rows.length === 0) return <Typography variant="body2">No exchanges in the config (defaults apply).</Typography>;
  return (
    <Table size="small" aria-label="Exchanges">
      <TableHead>
        <TableRow>
          <TableCell component="th" scope="col">Venue</TableCell>
          <TableCell component="th" scope="col">Setting</TableCell>
          <TableCell component="th" scope="col">Value</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {rows.map(([venue, key, value]) => (
          <TableRow key={`${venue}.${key}`}>
            <TableCell>{venue}</TableCell>
            <TableCell>{key}</TableCell>
            <TableCell sx={{ wordBreak: "break-all" }}>{value}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function StoreKeys() {
  const [venue, setVenue] = useState("binance");
  const [apiKey, setApiKey] = useState("");
  const [secret, setSecret] = useState("");
  const [code, setCode] = useState("");
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  async function store(event: FormEvent) {
    event.preventDefault();
    setMessage(null);
    setBusy(true);
    try {
      await api<void>(`/exchanges/${venue}/keys`, { method: "PUT", body: { api_key: apiKey, api_secret: secret }, totp: code });
      setApiKey("");
      setSecret("");
      setCode("");
      setMessage({ ok: true, text: `Keys stored for ${venue} (sealed; they cannot be read back).` });
    } catch (e) {
      const text =
        e instanceof ApiError && e.code === "totp_enrollment_required"
          ? "Enrol TOTP for your account first (below), then send a current code."
          : e instanceof ApiError && e.status === 401
            ? `The code was not accepted: ${e.message}`
            : describe(e);
      setMessage({ ok: false, text });
    } finally {
      setBusy(false);
    }
  }

  return (
    <Box component="form" onSubmit={store} aria-label="Store exchange keys" sx={{ mt: 2, display: "grid", gap: 1.5, gridTemplateColumns: { xs: "1fr", md: "1fr 2fr 2fr 1fr auto" }, alignItems: "start" }}>
      <TextField select label="Venue" size="small" value={venue} onChange={(e) => setVenue(e.target.value)}>
        {VENUES.map((v) => (
          <MenuItem key={v} value={v}>{v}</MenuItem>
        ))}
      </TextField>
      <TextField label="API key" size="small" required autoComplete="off" value={apiKey} onChange={(e) => setApiKey(e.target.value)} />
      <TextField label="API secret" size="small" type="password" required autoComplete="new-password" value={secret} onChange={(e) => setSecret(e.target.value)} />
      <TextField label="Code" size="small" required autoComplete="one-time-code" inputMode="numeric" value={code} onChange={(e) => setCode(e.target.value.trim())} helperText="Your TOTP code" />
      <Button type="submit" variant="contained" disabled={busy}>
        Store keys
      </Button>
      {message && (
        <Alert severity={message.ok ? "success" : "error"} sx={{ gridColumn: "1 / -1" }}>
          {message.text}
        </Alert>
      )}
    </Box>
  );
}

export function ExchangesSection({ exchanges, admin }: { exchanges: Record<string, unknown>; admin: boolean }) {
  return (
    <Section title="Exchanges">
      <ExchangeTable exchanges={exchanges} />
      {admin && <StoreKeys />}
      <Typography variant="caption" component="p" sx={{ mt: 1 }}>
        Keys are never shown: they come from the environment (e.g. BINANCE_API_KEY) or are stored sealed with the server's master key.
      </Typography>
    </Section>
  );
}
