// A confirmation step before an action that changes trading (place,
// cancel, flatten, stop): says what will happen, then `Confirm` or
// `Back`; shows the server's refusal without closing.

import Alert from "@mui/material/Alert";
import Button from "@mui/material/Button";
import Dialog from "@mui/material/Dialog";
import DialogActions from "@mui/material/DialogActions";
import DialogContent from "@mui/material/DialogContent";
import DialogTitle from "@mui/material/DialogTitle";
import { useId, useState, type ReactNode } from "react";
import { describe } from "../../api/client";

interface ConfirmProps {
  title: string;
  children: ReactNode;
  /** Runs the action; a thrown error is shown and the dialog stays. */
  onConfirm: () => Promise<void>;
  onClose: () => void;
  confirmLabel?: string;
  danger?: boolean;
}

export function ConfirmDialog({ title, children, onConfirm, onClose, confirmLabel = "Confirm", danger }: ConfirmProps) {
  const id = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function confirm() {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      onClose();
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Dialog open onClose={busy ? undefined : onClose} aria-labelledby={`${id}-title`} aria-describedby={`${id}-body`}>
      <DialogTitle id={`${id}-title`}>{title}</DialogTitle>
      <DialogContent id={`${id}-body`}>
        {children}
        {error && (
          <Alert severity="error" sx={{ mt: 2 }} role="alert">
            {error}
          </Alert>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={busy}>
          Back
        </Button>
        <Button variant="contained" color={danger ? "error" : "primary"} onClick={() => void confirm()} disabled={busy} autoFocus>
          {confirmLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
