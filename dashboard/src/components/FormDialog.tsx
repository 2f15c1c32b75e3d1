// A dialog holding one form: a title, the fields, the error of the last
// try, and `Back` / a submit button. Submitting checks the fields first
// (a message instead of a request), then sends; success closes the dialog,
// a refusal is shown and the dialog stays.

import Alert from "@mui/material/Alert";
import type { ButtonProps } from "@mui/material/Button";
import Dialog from "@mui/material/Dialog";
import DialogContent from "@mui/material/DialogContent";
import DialogTitle from "@mui/material/DialogTitle";
import { useId, type FormEvent, type ReactNode } from "react";
import { DialogButtons } from "./DialogButtons";
import { useAction } from "./useAction";

interface FormDialogProps {
  title: ReactNode;
  /** The form's accessible name. */
  label: string;
  submitLabel: string;
  submitColor?: ButtonProps["color"];
  children: ReactNode;
  /** What is wrong with the fields, or null to send. */
  check?: () => string | null;
  /** Sends the form; a thrown error is shown (through `problem`) and the dialog stays. */
  send: () => Promise<void>;
  problem?: (e: unknown) => string;
  onClose: () => void;
}

export function FormDialog({ title, label, submitLabel, submitColor, children, check, send, problem, onClose }: FormDialogProps) {
  const id = useId();
  const { busy, error, setError, run } = useAction(problem);
  function submit(event: FormEvent) {
    event.preventDefault();
    const wrong = check?.() ?? null;
    if (wrong !== null) return setError(wrong);
    void run(send, onClose);
  }
  return (
    <Dialog open onClose={busy ? undefined : onClose} aria-labelledby={`${id}-title`}>
      <form onSubmit={submit} aria-label={label}>
        <DialogTitle id={`${id}-title`}>{title}</DialogTitle>
        <DialogContent>
          {children}
          {error && (
            <Alert severity="error" role="alert" sx={{ mt: 1 }}>
              {error}
            </Alert>
          )}
        </DialogContent>
        <DialogButtons busy={busy} onBack={onClose} label={submitLabel} color={submitColor} />
      </form>
    </Dialog>
  );
}
