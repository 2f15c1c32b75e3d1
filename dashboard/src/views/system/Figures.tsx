// A row of labelled figures (label above, value below), wrapping on a phone;
// each value is reachable by its label (aria-label) for tests and readers.

import Box from "@mui/material/Box";
import Typography from "@mui/material/Typography";
import type { ReactNode } from "react";

export function Figures({ items, testId }: { items: [string, ReactNode, string?][]; testId?: string }) {
  return (
    <Box sx={{ display: "flex", flexWrap: "wrap", gap: 3 }} data-testid={testId}>
      {items.map(([label, value, note]) => (
        <Box key={label} sx={{ minWidth: 120 }}>
          <Typography variant="caption" color="text.secondary" component="div">
            {label}
          </Typography>
          <Typography variant="body1" component="div" aria-label={label} sx={{ fontWeight: 500 }}>
            {value}
          </Typography>
          {note && (
            <Typography variant="caption" color="text.secondary" component="div">
              {note}
            </Typography>
          )}
        </Box>
      ))}
    </Box>
  );
}
