// The Settings view (being built).

import Typography from "@mui/material/Typography";

export default function SettingsView() {
  return <Typography variant="h5" component="h2">Settings</Typography>;
}
