// An admin releases a tripped breaker: a reason and a current TOTP code
// (labelled `Code`), sent as POST /risk/breakers/{name}/reset with the
// code in X-TOTP and {session, reason} as the body.

import DialogContentText from "@mui/material/DialogContentText";
import TextField from "@mui/material/TextField";
import { useState } from "react";
import { api, ApiError, describe } from "../../api/client";
import { FormDialog } from "../../components/FormDialog";

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
  const [reason, setReason] = useState("");
  const [code, setCode] = useState("");
  function check(): string | null {
    if (!reason.trim()) return "Say why it is safe to trade again.";
    if (!/^\S{6,}$/.test(code.trim())) return "Enter the current code from your authenticator app.";
    return null;
  }
  async function send() {
    await api<unknown>(`/risk/breakers/${encodeURIComponent(breaker)}/reset`, {
      method: "POST",
      body: { session, reason: reason.trim() },
      totp: code.trim(),
    });
    onDone();
  }
  return (
    <FormDialog
      title={`Reset breaker ${breaker}`}
      label={`Reset ${breaker}`}
      submitLabel="Reset"
      submitColor="warning"
      check={check}
      send={send}
      problem={problem}
      onClose={onClose}
    >
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
    </FormDialog>
  );
}
