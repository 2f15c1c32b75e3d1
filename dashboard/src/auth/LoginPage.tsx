// Sign in: username and password, then a TOTP code when the account has
// TOTP enrolled (the server answers `totp_required`).

import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Paper from "@mui/material/Paper";
import TextField from "@mui/material/TextField";
import Typography from "@mui/material/Typography";
import { useEffect, useState, type FormEvent } from "react";
import { ApiError, describe } from "../api/client";
import type { AuthSession } from "./session";

/**
 * Whether smc serve cannot be reached (the offline shell, or the server
 * down): asked of /healthz, which the service worker never answers from
 * its cache, on mount and whenever the browser's network comes or goes.
 */
function useUnreachable(): boolean {
  const [unreachable, setUnreachable] = useState(false);
  useEffect(() => {
    let live = true;
    const probe = () => {
      // HEAD: no body left unread to keep the connection busy.
      fetch("/healthz", { method: "HEAD", cache: "no-store" })
        .then((r) => live && setUnreachable(!r.ok))
        .catch(() => live && setUnreachable(true));
    };
    probe();
    window.addEventListener("online", probe);
    window.addEventListener("offline", probe);
    return () => {
      live = false;
      window.removeEventListener("online", probe);
      window.removeEventListener("offline", probe);
    };
  }, []);
  return unreachable;
}

export function LoginPage({ session }: { session: AuthSession }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [needCode, setNeedCode] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const offline = useUnreachable();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await session.login(username, password, needCode ? code : undefined);
    } catch (e) {
      if (e instanceof ApiError && e.code === "totp_required") {
        setNeedCode(true);
        setError(needCode ? "That code was not accepted; enter the current one." : null);
      } else if (e instanceof ApiError && e.status === 401) {
        setError(needCode ? "Wrong code, username or password." : "Wrong username or password.");
      } else {
        setError(describe(e));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <Box sx={{ minHeight: "100vh", display: "grid", placeItems: "center", p: 2 }}>
      <Paper component="form" onSubmit={submit} sx={{ p: 3, width: "100%", maxWidth: 360 }} aria-label="Sign in">
        <Typography variant="h5" component="h1" gutterBottom>
          SMC Agent
        </Typography>
        <TextField
          label="Username"
          name="username"
          autoComplete="username"
          fullWidth
          margin="dense"
          required
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          autoFocus
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          fullWidth
          margin="dense"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        {needCode && (
          <>
            <Typography variant="body2" sx={{ mt: 1 }}>
              This account uses two-factor sign-in: enter the code from your authenticator app (or a recovery code).
            </Typography>
            <TextField
              label="Code"
              name="code"
              autoComplete="one-time-code"
              inputMode="numeric"
              fullWidth
              margin="dense"
              required
              autoFocus
              value={code}
              onChange={(e) => setCode(e.target.value.trim())}
            />
          </>
        )}
        {offline && (
          <Alert severity="warning" sx={{ mt: 1 }} role="status">
            You are offline, or smc serve cannot be reached: signing in needs it.
          </Alert>
        )}
        {error && (
          <Alert severity="error" sx={{ mt: 1 }} role="alert">
            {error}
          </Alert>
        )}
        <Button type="submit" variant="contained" fullWidth sx={{ mt: 2 }} disabled={busy}>
          Sign in
        </Button>
      </Paper>
    </Box>
  );
}
