// The Trading view (being built).

import Typography from "@mui/material/Typography";

export default function TradingView() {
  return <Typography variant="h5" component="h2">Trading</Typography>;
}
