// The Audit view (being built).

import Typography from "@mui/material/Typography";

export default function AuditView() {
  return <Typography variant="h5" component="h2">Audit</Typography>;
}
