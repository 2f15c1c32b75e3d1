// The audit chain's status from GET /audit/verify, shown prominently:
// intact, or the first broken entry and the breakers whose stored state
// differs from what the chain last recorded.

import Alert from "@mui/material/Alert";
import AlertTitle from "@mui/material/AlertTitle";
import Button from "@mui/material/Button";
import { shortHash, type AuditReport } from "./types";

interface Props {
  report: AuditReport | null;
  error: string | null;
  loading: boolean;
  onVerify: () => void;
}

export function ChainStatus({ report, error, loading, onVerify }: Props) {
  const again = (
    <Button color="inherit" size="small" onClick={onVerify} disabled={loading}>
      Verify again
    </Button>
  );
  if (error) {
    return (
      <Alert severity="warning" data-testid="audit-chain-status" action={again}>
        The chain could not be verified: {error}
      </Alert>
    );
  }
  if (!report) {
    return (
      <Alert severity="info" data-testid="audit-chain-status">
        Verifying the chain…
      </Alert>
    );
  }
  if (report.ok) {
    return (
      <Alert severity="success" data-testid="audit-chain-status" action={again} sx={{ wordBreak: "break-all" }}>
        <AlertTitle>Chain intact</AlertTitle>
        {report.entries} entries, each chained to the one before; last hash <code title={report.last_hash}>{shortHash(report.last_hash)}</code>.
      </Alert>
    );
  }
  return (
    <Alert severity="error" data-testid="audit-chain-status" action={again} role="alert">
      <AlertTitle>Chain broken</AlertTitle>
      {report.first_broken && (
        <div>
          First broken entry: #{report.first_broken.id} — {report.first_broken.reason}
        </div>
      )}
      {report.breaker_mismatches.length > 0 && (
        <>
          <div>Breakers whose stored state differs from the chain:</div>
          <ul style={{ margin: 0 }}>
            {report.breaker_mismatches.map((m) => (
              <li key={m.breaker}>
                {m.breaker}: stored {m.stored_state ?? "none"}, chain says {m.chained_state ?? "nothing"}
                {m.entry !== null ? ` (entry #${m.entry})` : ""} — {m.reason}
              </li>
            ))}
          </ul>
        </>
      )}
      <div>{report.entries} entries read.</div>
    </Alert>
  );
}
