// The System view (being built).

import Typography from "@mui/material/Typography";

export default function SystemView() {
  return <Typography variant="h5" component="h2">System</Typography>;
}
