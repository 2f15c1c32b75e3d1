// The live stream's state in words, always visible in the top bar.

import Chip from "@mui/material/Chip";
import { useConnectionState } from "../live/LiveContext";

const COLOR = { Connected: "success", Reconnecting: "warning", Disconnected: "error" } as const;

export function ConnectionBadge() {
  const state = useConnectionState();
  return (
    <Chip
      size="small"
      color={COLOR[state]}
      label={state}
      role="status"
      aria-live="polite"
      aria-label={`Live data: ${state}`}
      data-testid="connection-state"
    />
  );
}
