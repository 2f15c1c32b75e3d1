// A labelled figure (label above, value below, an optional note under it)
// and a row of them that wraps on a phone; the value is reachable by its
// label (aria-label) for tests and screen readers.

import Box from "@mui/material/Box";
import type { SxProps, Theme } from "@mui/material/styles";
import Typography from "@mui/material/Typography";
import type { ReactNode } from "react";

interface FigureProps {
  label: string;
  value: ReactNode;
  note?: string;
  /** "h6" for a headline figure; body1 (medium weight) otherwise. */
  size?: "h6" | "body1";
  /** The value's colour (a theme path such as "success.main"). */
  color?: string;
}

export function Figure({ label, value, note, size = "body1", color }: FigureProps) {
  const sx = size === "h6" ? { color } : { fontWeight: 500, color };
  return (
    <Box sx={{ minWidth: size === "h6" ? 140 : 120 }}>
      <Typography variant="caption" color="text.secondary" component="div">
        {label}
      </Typography>
      <Typography variant={size} component="div" aria-label={label} sx={sx}>
        {value}
      </Typography>
      {note && (
        <Typography variant="caption" color="text.secondary" component="div">
          {note}
        </Typography>
      )}
    </Box>
  );
}

export function FigureRow({ children, testId, sx }: { children: ReactNode; testId?: string; sx?: SxProps<Theme> }) {
  return (
    <Box sx={[{ display: "flex", flexWrap: "wrap", gap: 3 }, ...(Array.isArray(sx) ? sx : [sx])]} data-testid={testId}>
      {children}
    </Box>
  );
}
