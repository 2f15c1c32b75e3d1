// The Settings view: strategy parameters, risk limits, exchanges (no
// secrets), the user's own TOTP enrolment and, for admins, users and API
// keys. Other roles see the settings read-only.

import Alert from "@mui/material/Alert";
import Typography from "@mui/material/Typography";
import { useSigned } from "../auth/AuthContext";
import { isAdmin } from "../auth/jwt";
import { useApi } from "../components/useApi";
import { ApiKeysSection } from "./settings/ApiKeysSection";
import { ExchangesSection } from "./settings/ExchangesSection";
import { RiskSection } from "./settings/RiskSection";
import { StrategySection } from "./settings/StrategySection";
import { TotpSection } from "./settings/TotpSection";
import { UsersSection } from "./settings/UsersSection";

type Config = Record<string, unknown>;

function sectionOf(config: Config | null, key: string): Record<string, unknown> | null {
  const value = config?.[key];
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

export default function SettingsView() {
  const { claims } = useSigned();
  const admin = isAdmin(claims.role);
  const config = useApi<Config>("/config");
  return (
    <>
      <Typography variant="h5" component="h2" sx={{ mb: 2 }}>
        Settings
      </Typography>
      {!admin && (
        <Alert severity="info" sx={{ mb: 2 }}>
          Read-only: only an admin can change settings.
        </Alert>
      )}
      {config.error && <Alert severity="error" sx={{ mb: 2 }}>{config.error}</Alert>}
      <StrategySection admin={admin} />
      {config.data && <RiskSection section={sectionOf(config.data, "risk_manager")} admin={admin} />}
      {config.data && <ExchangesSection exchanges={sectionOf(config.data, "exchanges") ?? {}} admin={admin} />}
      <TotpSection />
      {admin && <UsersSection />}
      {admin && <ApiKeysSection />}
    </>
  );
}
