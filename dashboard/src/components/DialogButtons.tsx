// A dialog's actions: `Back` (closes) and the main button, both disabled
// while the dialog's action runs.

import Button, { type ButtonProps } from "@mui/material/Button";
import DialogActions from "@mui/material/DialogActions";

interface DialogButtonsProps {
  busy: boolean;
  onBack: () => void;
  label: string;
  color?: ButtonProps["color"];
  /** Runs the action; without it the main button submits the dialog's form. */
  onClick?: () => void;
  autoFocus?: boolean;
}

export function DialogButtons({ busy, onBack, label, color, onClick, autoFocus }: DialogButtonsProps) {
  return (
    <DialogActions>
      <Button onClick={onBack} disabled={busy}>
        Back
      </Button>
      <Button type={onClick ? "button" : "submit"} variant="contained" color={color} onClick={onClick} disabled={busy} autoFocus={autoFocus}>
        {label}
      </Button>
    </DialogActions>
  );
}
