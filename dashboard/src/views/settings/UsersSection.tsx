// Users (admins only): the accounts with their role and TOTP state, add
// one, delete one after a confirmation.

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
import { api, ApiError, describe } from "../../api/client";
import { Section } from "../../components/Section";
import { useApi } from "../../components/useApi";
import { time } from "../../format";

interface User {
  username: string;
  role: string;
  totp_enrolled: boolean;
  created_at: number;
}

export const ROLES = ["admin", "trader", "viewer", "auditor"];

export function UsersSection() {
  const users = useApi<User[]>("/users");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [role, setRole] = useState("viewer");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);

  async function add(event: FormEvent) {
    event.preventDefault();
    setErrors({});
    setMessage(null);
    if (password.length < 12) {
      setErrors({ password: "At least 12 characters." });
      return;
    }
    try {
      const created = await api<User>("/users", { method: "POST", body: { username, password, role } });
      users.set((list) => [...(list ?? []), created]);
      setUsername("");
      setPassword("");
    } catch (e) {
      if (e instanceof ApiError && e.field) setErrors({ [e.field]: e.message });
      else setMessage(describe(e));
    }
  }

  async function remove(name: string) {
    setMessage(null);
    try {
      await api<void>(`/users/${encodeURIComponent(name)}`, { method: "DELETE" });
      users.set((list) => (list ?? []).filter((u) => u.username !== name));
    } catch (e) {
      setMessage(describe(e));
    } finally {
      setConfirming(null);
    }
  }

  return (
    <Section title="Users">
      {users.error && <Alert severity="error">{users.error}</Alert>}
      <Table size="small" aria-label="Users">
        <TableHead>
          <TableRow>
            {["User", "Role", "TOTP", "Created", "Actions"].map((h) => (
              <TableCell key={h} component="th" scope="col">{h}</TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {(users.data ?? []).map((u) => (
            <TableRow key={u.username}>
              <TableCell>{u.username}</TableCell>
              <TableCell>{u.role}</TableCell>
              <TableCell>{u.totp_enrolled ? "Enrolled" : "No"}</TableCell>
              <TableCell sx={{ whiteSpace: "nowrap" }}>{time(u.created_at)}</TableCell>
              <TableCell sx={{ whiteSpace: "nowrap" }}>
                {confirming === u.username ? (
                  <>
                    <Button size="small" color="error" onClick={() => void remove(u.username)}>Confirm delete {u.username}</Button>
                    <Button size="small" onClick={() => setConfirming(null)}>Cancel</Button>
                  </>
                ) : (
                  <Button size="small" color="error" onClick={() => setConfirming(u.username)} aria-label={`Delete ${u.username}`}>Delete</Button>
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <Box component="form" onSubmit={add} aria-label="Add user" sx={{ mt: 2, display: "grid", gap: 1.5, gridTemplateColumns: { xs: "1fr", md: "2fr 2fr 1fr auto" }, alignItems: "start" }}>
        <TextField label="New username" size="small" required autoComplete="off" value={username} onChange={(e) => setUsername(e.target.value)} error={!!errors.username} helperText={errors.username} />
        <TextField label="New password" size="small" type="password" required autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} error={!!errors.password} helperText={errors.password ?? "12 characters or more"} />
        <TextField select label="Role" size="small" value={role} onChange={(e) => setRole(e.target.value)}>
          {ROLES.map((r) => (
            <MenuItem key={r} value={r}>{r}</MenuItem>
          ))}
        </TextField>
        <Button type="submit" variant="contained">Add user</Button>
      </Box>
      {message && <Alert severity="error" sx={{ mt: 1 }}>{message}</Alert>}
    </Section>
  );
}
