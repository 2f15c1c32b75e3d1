// The signed-in user's own TOTP enrolment: start it (the secret, the
// otpauth URL for an authenticator app and the recovery codes, shown
// once), then confirm it with a first code. Re-enrolling an enrolled
// account needs a current code.

import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import TextField from "@mui/material/TextField";
import Typography from "@mui/material/Typography";
import { useState, type FormEvent } from "react";
import { api, ApiError, describe } from "../../api/client";
import { useSigned } from "../../auth/AuthContext";
import { Section } from "../../components/Section";

interface Enrolment {
  secret: string;
  otpauth_url: string;
  recovery_codes: string[];
}

export function TotpSection() {
  const { claims } = useSigned();
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [current, setCurrent] = useState("");
  const [needCurrent, setNeedCurrent] = useState(false);
  const [code, setCode] = useState("");
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  async function enroll() {
    setMessage(null);
    setBusy(true);
    try {
      setEnrolment(await api<Enrolment>("/auth/totp/enroll", { method: "POST", totp: current || undefined }));
      setNeedCurrent(false);
      setCurrent("");
    } catch (e) {
      if (e instanceof ApiError && e.status === 401 && !needCurrent) {
        setNeedCurrent(true);
        setMessage({ ok: false, text: "Your account is enrolled already: enter a current code to replace it." });
      } else setMessage({ ok: false, text: describe(e) });
    } finally {
      setBusy(false);
    }
  }

  async function confirm(event: FormEvent) {
    event.preventDefault();
    setMessage(null);
    try {
      await api<{ enrolled: boolean }>("/auth/totp/confirm", { method: "POST", body: { code } });
      setEnrolment(null);
      setCode("");
      setMessage({ ok: true, text: "Two-factor sign-in is on: from now on you sign in with a code." });
    } catch (e) {
      setMessage({ ok: false, text: describe(e) });
    }
  }

  return (
    <Section title={`Two-factor sign-in (${claims.sub})`}>
      {!enrolment ? (
        <Box sx={{ display: "flex", flexWrap: "wrap", gap: 1.5, alignItems: "start" }}>
          {needCurrent && (
            <TextField label="Current code" size="small" autoComplete="one-time-code" inputMode="numeric" value={current} onChange={(e) => setCurrent(e.target.value.trim())} />
          )}
          <Button variant="outlined" onClick={() => void enroll()} disabled={busy}>
            Enrol TOTP
          </Button>
          <Typography variant="body2" sx={{ flexBasis: "100%" }}>
            Needed for step-up actions (storing exchange keys, resetting breakers, live sessions).
          </Typography>
        </Box>
      ) : (
        <Box component="form" onSubmit={confirm} aria-label="Confirm TOTP">
          <Typography variant="body2">Add this account to your authenticator app (open the link on a phone, or type the secret):</Typography>
          <Box sx={{ my: 1, wordBreak: "break-all" }}>
            <div>Secret: <code data-testid="totp-secret">{enrolment.secret}</code></div>
            <div>
              <a href={enrolment.otpauth_url}>{enrolment.otpauth_url}</a>
            </div>
          </Box>
          <Typography variant="body2">Recovery codes (each works once; shown only now):</Typography>
          <Box component="ul" aria-label="Recovery codes" sx={{ columns: { xs: 2, sm: 5 }, fontFamily: "monospace", my: 1 }}>
            {enrolment.recovery_codes.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </Box>
          <Box sx={{ display: "flex", gap: 1.5, alignItems: "start", flexWrap: "wrap" }}>
            <TextField label="Code" size="small" required autoComplete="one-time-code" inputMode="numeric" value={code} onChange={(e) => setCode(e.target.value.trim())} />
            <Button type="submit" variant="contained">Confirm</Button>
          </Box>
        </Box>
      )}
      {message && (
        <Alert severity={message.ok ? "success" : "info"} sx={{ mt: 1 }}>
          {message.text}
        </Alert>
      )}
    </Section>
  );
}
