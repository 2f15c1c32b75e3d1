// A confirmation step before an action that changes trading (place,
// cancel, flatten, stop): says what will happen, then `Confirm` or
// `Back`; shows the server's refusal without closing.

import Alert from "@mui/material/Alert";
import Dialog from "@mui/material/Dialog";
import DialogContent from "@mui/material/DialogContent";
import DialogTitle from "@mui/material/DialogTitle";
import { useId, type ReactNode } from "react";
import { DialogButtons } from "../../components/DialogButtons";
import { useAction } from "../../components/useAction";

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
  const { busy, error, run } = useAction();
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
      <DialogButtons busy={busy} onBack={onClose} label={confirmLabel} color={danger ? "error" : "primary"} onClick={() => void run(onConfirm, onClose)} autoFocus />
    </Dialog>
  );
}
