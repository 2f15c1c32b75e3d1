// The Audit view: the hash chain's status (GET /audit/verify) and the log
// itself, newest first, a page at a time (GET /audit?limit=&before=, where
// `before` is an entry id). Roles without access get the server's 403.

import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Typography from "@mui/material/Typography";
import { useCallback, useEffect, useState } from "react";
import { api, ApiError, describe } from "../api/client";
import { Section } from "../components/Section";
import { AuditTable } from "./audit/AuditTable";
import { ChainStatus } from "./audit/ChainStatus";
import { PAGE, type AuditEntry, type AuditReport } from "./audit/types";

const FORBIDDEN = "Your role cannot read the audit log";

export default function AuditView() {
  // Cursors of the pages walked through: null is the newest page.
  const [cursors, setCursors] = useState<(number | null)[]>([null]);
  const before = cursors[cursors.length - 1] ?? null;
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [forbidden, setForbidden] = useState(false);
  const [report, setReport] = useState<AuditReport | null>(null);
  const [reportError, setReportError] = useState<string | null>(null);
  const [verifying, setVerifying] = useState(false);

  useEffect(() => {
    const controller = new AbortController();
    const query = before === null ? `?limit=${PAGE}` : `?limit=${PAGE}&before=${before}`;
    api<AuditEntry[]>(`/audit${query}`, { signal: controller.signal })
      .then((page) => {
        setEntries(page);
        setError(null);
      })
      .catch((e: unknown) => {
        if (controller.signal.aborted) return;
        if (e instanceof ApiError && e.status === 403) setForbidden(true);
        else setError(describe(e));
      });
    return () => controller.abort();
  }, [before]);

  const verify = useCallback(() => {
    setVerifying(true);
    api<AuditReport>("/audit/verify")
      .then((r) => {
        setReport(r);
        setReportError(null);
      })
      .catch((e: unknown) => {
        if (e instanceof ApiError && e.status === 403) setForbidden(true);
        else setReportError(describe(e));
      })
      .finally(() => setVerifying(false));
  }, []);
  useEffect(verify, [verify]);

  const oldest = entries && entries.length > 0 ? entries[entries.length - 1] : undefined;
  return (
    <>
      <Typography variant="h5" component="h2" sx={{ mb: 2 }}>
        Audit
      </Typography>
      {forbidden ? (
        <Alert severity="info" role="alert">
          {FORBIDDEN} (admins and auditors can).
        </Alert>
      ) : (
        <>
          <Box sx={{ mb: 2 }}>
            <ChainStatus report={report} error={reportError} loading={verifying} onVerify={verify} />
          </Box>
          <Section
            title="Audit log"
            action={
              <Box sx={{ display: "flex", gap: 1 }}>
                <Button size="small" disabled={cursors.length === 1} onClick={() => setCursors([null])}>
                  Newest
                </Button>
                <Button size="small" disabled={cursors.length === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
                  Newer
                </Button>
                <Button
                  size="small"
                  disabled={!oldest || (entries?.length ?? 0) < PAGE || oldest.id <= 1}
                  onClick={() => oldest && setCursors((c) => [...c, oldest.id])}
                >
                  Older
                </Button>
              </Box>
            }
          >
            {error && <Alert severity="error">{error}</Alert>}
            {entries ? <AuditTable entries={entries} /> : !error && <Typography variant="body2">Loading…</Typography>}
          </Section>
        </>
      )}
    </>
  );
}
