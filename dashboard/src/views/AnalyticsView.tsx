// The Analytics view (being built).

import Typography from "@mui/material/Typography";

export default function AnalyticsView() {
  return <Typography variant="h5" component="h2">Analytics</Typography>;
}
