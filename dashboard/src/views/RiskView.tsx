// The Risk view (being built).

import Typography from "@mui/material/Typography";

export default function RiskView() {
  return <Typography variant="h5" component="h2">Risk</Typography>;
}
