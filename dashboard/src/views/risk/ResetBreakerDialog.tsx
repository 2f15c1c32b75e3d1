// An admin releases a tripped breaker: a reason and a current TOTP code
// (labelled `Code`), sent as POST /risk/breakers/{name}/reset with the
// code in X-TOTP and {session, reason} as the body.

import Alert from "@mui/material/Alert";
import Button from "@mui/material/Button";
import Dialog from "@mui/material/Dialog";
import DialogActions from "@mui/material/DialogActions";
import DialogContent from "@mui/material/DialogContent";
import DialogContentText from "@mui/material/DialogContentText";
import DialogTitle from "@mui/material/DialogTitle";
import TextField from "@mui/material/TextField";
import { useId, useState, type FormEvent } from "react";
import { api, ApiError, describe } from "../../api/client";

function problem(e: unknown): string {
  if (e instanceof ApiError && (e.code === "totp_invalid" || e.code === "totp_required")) {
    return "That code was not accepted (wrong, expired or already used): enter the current one.";
  }
  return describe(e);
}

interface ResetProps {
  session: string;
  breaker: string;
  onClose: () => void;
  onDone: () => void;
}

export function ResetBreakerDialog({ session, breaker, onClose, onDone }: ResetProps) {
  const id = useId();
  const [reason, setReason] = useState("");
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!reason.trim()) return setError("Say why it is safe to trade again.");
    if (!/^\S{6,}$/.test(code.trim())) return setError("Enter the current code from your authenticator app.");
    setBusy(true);
    setError(null);
    try {
      await api<unknown>(`/risk/breakers/${encodeURIComponent(breaker)}/reset`, {
        method: "POST",
        body: { session, reason: reason.trim() },
        totp: code.trim(),
      });
      onDone();
      onClose();
    } catch (e) {
      setError(problem(e));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Dialog open onClose={busy ? undefined : onClose} aria-labelledby={`${id}-title`}>
      <form onSubmit={(e) => void submit(e)} aria-label={`Reset ${breaker}`}>
        <DialogTitle id={`${id}-title`}>Reset breaker {breaker}</DialogTitle>
        <DialogContent>
          <DialogContentText>
            Session {session}: the breaker cools down, then watches again. Orders that add risk are allowed once it is
            released. Your name and reason go to the audit log.
          </DialogContentText>
          <TextField label="Reason" fullWidth margin="dense" multiline minRows={2} value={reason} onChange={(e) => setReason(e.target.value)} />
          <TextField
            label="Code"
            fullWidth
            margin="dense"
            autoComplete="one-time-code"
            value={code}
            onChange={(e) => setCode(e.target.value)}
            slotProps={{ htmlInput: { inputMode: "numeric" } }}
          />
          {error && (
            <Alert severity="error" role="alert" sx={{ mt: 1 }}>
              {error}
            </Alert>
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose} disabled={busy}>
            Back
          </Button>
          <Button type="submit" variant="contained" color="warning" disabled={busy}>
            Reset
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
