// A secret the server shows once (a new API key): displayed with a copy
// button until the user says it is stored.

import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import { useState } from "react";

export function ShownOnce({ label, value, onDone }: { label: string; value: string; onDone: () => void }) {
  const [copied, setCopied] = useState<string | null>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setCopied("Copied.");
    } catch {
      setCopied("Copy failed: select the text and copy it by hand.");
    }
  }
  return (
    <Alert severity="warning" sx={{ my: 1 }} data-testid="shown-once">
      <div>{label} — shown once only; store it now.</div>
      <Box component="code" sx={{ display: "block", my: 1, wordBreak: "break-all", userSelect: "all" }}>
        {value}
      </Box>
      <Button size="small" variant="outlined" onClick={() => void copy()}>
        Copy
      </Button>{" "}
      <Button size="small" onClick={onDone}>
        I have stored it
      </Button>
      {copied && <span role="status"> {copied}</span>}
    </Alert>
  );
}
