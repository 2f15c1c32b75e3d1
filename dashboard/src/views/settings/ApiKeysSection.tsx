// API keys (admins only): list, create (role, optional expiry), revoke
// and rotate; a new key is shown once with a copy button.

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
import { useState, type FormEvent } from "react";
import { api, describe } from "../../api/client";
import { Section } from "../../components/Section";
import { useApi } from "../../components/useApi";
import { time } from "../../format";
import { checkValue } from "./fields";
import { ShownOnce } from "./ShownOnce";
import { ROLES } from "./UsersSection";

interface KeyInfo {
  id: string;
  role: string;
  owner: string;
  created_at: number;
  expires_at: number | null;
  revoked: boolean;
}

interface CreatedKey {
  id: string;
  key: string;
  role: string;
  expires_at: number | null;
}

export function ApiKeysSection() {
  const keys = useApi<KeyInfo[]>("/api-keys");
  const [role, setRole] = useState("viewer");
  const [days, setDays] = useState("");
  const [daysError, setDaysError] = useState<string | null>(null);
  const [fresh, setFresh] = useState<CreatedKey | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  async function create(event: FormEvent) {
    event.preventDefault();
    setMessage(null);
    const problem = checkValue(days, "count") ?? (days && Number(days) > 3650 ? "At most 3650 days." : null);
    setDaysError(problem);
    if (problem) return;
    try {
      const body = days.trim() ? { role, expires_in_days: Number(days) } : { role };
      setFresh(await api<CreatedKey>("/api-keys", { method: "POST", body }));
      keys.reload();
    } catch (e) {
      setMessage(describe(e));
    }
  }

  async function act(id: string, what: "revoke" | "rotate") {
    setMessage(null);
    try {
      if (what === "revoke") await api<void>(`/api-keys/${encodeURIComponent(id)}`, { method: "DELETE" });
      else setFresh(await api<CreatedKey>(`/api-keys/${encodeURIComponent(id)}/rotate`, { method: "POST" }));
      keys.reload();
    } catch (e) {
      setMessage(describe(e));
    }
  }

  return (
    <Section title="API keys">
      {keys.error && <Alert severity="error">{keys.error}</Alert>}
      {fresh && <ShownOnce label={`New ${fresh.role} key ${fresh.id}`} value={fresh.key} onDone={() => setFresh(null)} />}
      <Table size="small" aria-label="API keys">
        <TableHead>
          <TableRow>
            {["Id", "Role", "Owner", "Created", "Expires", "State", "Actions"].map((h) => (
              <TableCell key={h} component="th" scope="col">{h}</TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {(keys.data ?? []).map((k) => (
            <TableRow key={k.id}>
              <TableCell><code>{k.id}</code></TableCell>
              <TableCell>{k.role}</TableCell>
              <TableCell>{k.owner}</TableCell>
              <TableCell sx={{ whiteSpace: "nowrap" }}>{time(k.created_at)}</TableCell>
              <TableCell sx={{ whiteSpace: "nowrap" }}>{k.expires_at === null ? "Never" : time(k.expires_at)}</TableCell>
              <TableCell>{k.revoked ? "Revoked" : "Live"}</TableCell>
              <TableCell sx={{ whiteSpace: "nowrap" }}>
                {!k.revoked && (
                  <>
                    <Button size="small" onClick={() => void act(k.id, "rotate")} aria-label={`Rotate key ${k.id}`}>Rotate</Button>
                    <Button size="small" color="error" onClick={() => void act(k.id, "revoke")} aria-label={`Revoke key ${k.id}`}>Revoke</Button>
                  </>
                )}
              </TableCell>
            </TableRow>
          ))}
          {keys.data?.length === 0 && (
            <TableRow>
              <TableCell colSpan={7}>No API keys yet.</TableCell>
            </TableRow>
          )}
        </TableBody>
      </Table>
      <Box component="form" onSubmit={create} aria-label="Create API key" sx={{ mt: 2, display: "grid", gap: 1.5, gridTemplateColumns: { xs: "1fr", md: "1fr 1fr auto" }, alignItems: "start" }}>
        <TextField select label="Key role" size="small" value={role} onChange={(e) => setRole(e.target.value)}>
          {ROLES.map((r) => (
            <MenuItem key={r} value={r}>{r}</MenuItem>
          ))}
        </TextField>
        <TextField label="Expires in days" size="small" inputMode="numeric" value={days} onChange={(e) => setDays(e.target.value)} error={!!daysError} helperText={daysError ?? "Empty: never"} />
        <Button type="submit" variant="contained">Create key</Button>
      </Box>
      {message && <Alert severity="error" sx={{ mt: 1 }}>{message}</Alert>}
    </Section>
  );
}
