// Risk limits: read from the config file's risk_manager section (else the
// limits in force from GET /risk), edited by an admin with client-side
// checks before PUT /config/risk, whose validation errors land on their
// field. Keys the form does not show are sent back untouched.

import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import TextField from "@mui/material/TextField";
import { useEffect, useState, type FormEvent } from "react";
import { api, describe } from "../../api/client";
import { Section } from "../../components/Section";
import { checkValue, fieldOf, jsonDecimal, type Rule } from "./fields";

interface Limit {
  key: string;
  label: string;
  rule: Rule;
  required: boolean;
  help: string;
}

export const LIMITS: Limit[] = [
  { key: "max_position_size", label: "Max position size", rule: "positive", required: true, help: "Notional, quote currency" },
  { key: "max_daily_loss", label: "Max daily loss", rule: "positive", required: true, help: "Quote currency, per UTC day" },
  { key: "stop_loss_percent", label: "Stop loss %", rule: "percent", required: true, help: "Widest stop from the entry" },
  { key: "max_drawdown_percent", label: "Max drawdown %", rule: "percent", required: false, help: "Optional" },
  { key: "max_leverage", label: "Max leverage", rule: "positive", required: false, help: "Optional, × equity" },
  { key: "max_portfolio_var_percent", label: "Max portfolio VaR %", rule: "percent", required: false, help: "Optional, % of equity" },
  { key: "var_confidence", label: "VaR confidence", rule: "fraction", required: true, help: "Between 0 and 1" },
  { key: "var_window", label: "VaR window", rule: "count", required: false, help: "Bar returns, optional" },
];

/** Errors by key for the values, or an empty object. */
export function validateLimits(values: Record<string, string>): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const limit of LIMITS) {
    const text = values[limit.key] ?? "";
    const problem = limit.required && text.trim() === "" ? "Required." : checkValue(text, limit.rule);
    if (problem) errors[limit.key] = problem;
  }
  return errors;
}

interface Props {
  /** The file's risk_manager section, or null when the server runs without one. */
  section: Record<string, unknown> | null;
  admin: boolean;
}

type Limits = Record<string, string | null>;

export function RiskSection({ section, admin }: Props) {
  const [values, setValues] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const fill = (source: Record<string, unknown>) =>
      setValues(Object.fromEntries(LIMITS.map((l) => [l.key, source[l.key] === null || source[l.key] === undefined ? "" : String(source[l.key])])));
    if (section && Object.keys(section).length > 0) {
      fill(section);
      return;
    }
    api<{ limits: Limits }>("/risk")
      .then((r) => fill(r.limits))
      .catch((e: unknown) => setMessage({ ok: false, text: describe(e) }));
  }, [section]);

  async function save(event: FormEvent) {
    event.preventDefault();
    const found = validateLimits(values);
    setErrors(found);
    setMessage(null);
    if (Object.keys(found).length > 0) return;
    const body: Record<string, unknown> = { ...(section ?? {}) };
    for (const limit of LIMITS) {
      const text = values[limit.key]?.trim() ?? "";
      if (text === "") delete body[limit.key];
      else body[limit.key] = limit.rule === "count" ? Number(text) : jsonDecimal(text);
    }
    setBusy(true);
    try {
      const r = await api<{ applied_to_running_sessions: boolean }>("/config/risk", { method: "PUT", body });
      setMessage({ ok: true, text: r.applied_to_running_sessions ? "Saved; running sessions reload it." : "Saved; sessions started from now on use it (no config file to reload)." });
    } catch (e) {
      const field = fieldOf(e, ["risk_manager"]);
      if (field && LIMITS.some((l) => l.key === field)) setErrors({ [field]: describe(e) });
      else setMessage({ ok: false, text: describe(e) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <Section title="Risk limits">
      <Box component="form" onSubmit={save} noValidate aria-label="Risk limits" sx={{ display: "grid", gap: 1.5, gridTemplateColumns: { xs: "1fr", sm: "1fr 1fr", lg: "repeat(4, 1fr)" } }}>
        {LIMITS.map((limit) => (
          <TextField
            key={limit.key}
            label={limit.label}
            size="small"
            inputMode="decimal"
            required={limit.required}
            value={values[limit.key] ?? ""}
            onChange={(e) => setValues((v) => ({ ...v, [limit.key]: e.target.value }))}
            error={!!errors[limit.key]}
            helperText={errors[limit.key] ?? limit.help}
            slotProps={{ input: { readOnly: !admin } }}
          />
        ))}
        {admin && (
          <Box sx={{ gridColumn: "1 / -1" }}>
            <Button type="submit" variant="contained" disabled={busy}>
              Save risk limits
            </Button>
          </Box>
        )}
      </Box>
      {message && (
        <Alert severity={message.ok ? "success" : "error"} sx={{ mt: 1 }}>
          {message.text}
        </Alert>
      )}
    </Section>
  );
}
