// The Chart view (being built).

import Typography from "@mui/material/Typography";

export default function ChartView() {
  return <Typography variant="h5" component="h2">Chart</Typography>;
}
