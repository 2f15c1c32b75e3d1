// The Risk view: limits and their use per session, exposure by symbol,
// venue and group with the VaR, and the circuit breakers (reset for
// admins, with a TOTP step-up); live from the risk and positions topics.

import Alert from "@mui/material/Alert";
import Typography from "@mui/material/Typography";
import { useSigned } from "../auth/AuthContext";
import { isAdmin } from "../auth/jwt";
import { Section } from "../components/Section";
import { breakerRows } from "./risk/breakers";
import { BreakersPanel } from "./risk/BreakersPanel";
import { ExposurePanel } from "./risk/ExposurePanel";
import { LimitsPanel } from "./risk/LimitsPanel";
import { useRiskData } from "./risk/useRiskData";

export default function RiskView() {
  const { claims } = useSigned();
  const { risk, pnl } = useRiskData();
  const data = risk.data;
  // A session that never marked its equity (the config's unstarted default) has nothing to show.
  const sessions = (data?.sessions ?? []).filter((s) => s.equity !== null || s.exposure.length > 0 || Object.keys(s.breakers).length > 0);
  return (
    <>
      {risk.error && (
        <Alert severity="error" sx={{ mb: 2 }}>
          {risk.error}
        </Alert>
      )}
      <Section title="Limits">
        {data ? <LimitsPanel limits={data.limits} sessions={sessions} pnl={pnl.data ?? []} /> : <Typography variant="body2">Loading…</Typography>}
      </Section>
      <Section title="Exposure">
        {sessions.map((s) => (
          <ExposurePanel key={s.session} session={s} />
        ))}
        {data && sessions.length === 0 && (
          <Typography variant="body2" color="text.secondary">
            No session has started trading yet.
          </Typography>
        )}
      </Section>
      <Section title="Breakers">
        <BreakersPanel rows={data ? breakerRows(data) : []} admin={isAdmin(claims.role)} onChanged={risk.reload} />
      </Section>
    </>
  );
}
