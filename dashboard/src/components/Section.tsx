// A titled panel: the building block of every view.

import Paper from "@mui/material/Paper";
import Typography from "@mui/material/Typography";
import type { ReactNode } from "react";

export function Section({ title, action, children }: { title: string; action?: ReactNode; children: ReactNode }) {
  const id = `section-${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return (
    <Paper component="section" aria-labelledby={id} sx={{ p: 2, mb: 2, overflowX: "auto" }}>
      <div style={{ display: "flex", alignItems: "center", gap: 8, marginBottom: 8 }}>
        <Typography id={id} variant="h6" component="h2" sx={{ flexGrow: 1, fontSize: 16 }}>
          {title}
        </Typography>
        {action}
      </div>
      {children}
    </Paper>
  );
}
