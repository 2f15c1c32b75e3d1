// Strategy settings (GET/PUT /config/strategy): the strategy, its
// timeframes and the smc strategy's known parameters as a form, with a
// JSON editor for the rest; server validation errors land on their field.

import Accordion from "@mui/material/Accordion";
import AccordionDetails from "@mui/material/AccordionDetails";
import AccordionSummary from "@mui/material/AccordionSummary";
import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Checkbox from "@mui/material/Checkbox";
import FormControlLabel from "@mui/material/FormControlLabel";
import MenuItem from "@mui/material/MenuItem";
import TextField from "@mui/material/TextField";
import Typography from "@mui/material/Typography";
import { useEffect, useState, type FormEvent } from "react";
import { api, describe } from "../../api/client";
import { Section } from "../../components/Section";
import { useApi } from "../../components/useApi";
import { fieldOf } from "./fields";
import { checkTexts, merge, PARAMS, split, textsOf } from "./strategyParams";

interface StrategySettings {
  strategy: string | null;
  timeframes: string[];
  params: Record<string, unknown> | null;
}

export function StrategySection({ admin }: { admin: boolean }) {
  const loaded = useApi<StrategySettings>("/config/strategy");
  const [strategy, setStrategy] = useState("");
  const [timeframes, setTimeframes] = useState("");
  const [params, setParams] = useState<Record<string, unknown>>({});
  const [texts, setTexts] = useState<Record<string, string>>(textsOf({}));
  const [json, setJson] = useState("{}");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const data = loaded.data;
    if (!data) return;
    const p = data.params ?? {};
    setStrategy(data.strategy ?? "");
    setTimeframes(data.timeframes.join(", "));
    setParams(p);
    setTexts(textsOf(p));
    setJson(JSON.stringify(p, null, 2));
  }, [loaded.data]);

  const readOnly = { input: { readOnly: !admin } };
  const setText = (key: string, value: string) => setTexts((t) => ({ ...t, [key]: value }));

  function applyJson() {
    try {
      const parsed: unknown = JSON.parse(json);
      if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("an object of parameters is expected");
      setParams(parsed as Record<string, unknown>);
      setTexts(textsOf(parsed as Record<string, unknown>));
      setErrors({});
    } catch (e) {
      setErrors({ json: `Not applied: ${e instanceof Error ? e.message : String(e)}` });
    }
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    const found = checkTexts(texts);
    setErrors(found);
    setMessage(null);
    if (Object.keys(found).length > 0) return;
    const merged = merge(params, texts);
    setBusy(true);
    try {
      const r = await api<{ written: boolean }>("/config/strategy", {
        method: "PUT",
        body: { strategy: strategy || null, timeframes: split(timeframes), params: merged },
      });
      setParams(merged);
      setJson(JSON.stringify(merged, null, 2));
      setMessage({ ok: true, text: r.written ? "Saved to the config file; new sessions and backtests use it." : "Saved in memory (no config file) until the server stops." });
    } catch (e) {
      const field = fieldOf(e, ["params", "backtest.smc_strategy", "backtest"]);
      const known = field && (PARAMS.some((p) => p.key === field) || field === "strategy" || field === "timeframes");
      if (field && known) setErrors({ [field]: describe(e) });
      else setErrors({ json: describe(e) });
      setMessage({ ok: false, text: `Not saved: ${describe(e)}` });
    } finally {
      setBusy(false);
    }
  }

  return (
    <Section title="Strategy">
      {loaded.error && <Alert severity="error">{loaded.error}</Alert>}
      <Box component="form" onSubmit={save} noValidate aria-label="Strategy parameters">
        <Box sx={{ display: "grid", gap: 1.5, gridTemplateColumns: { xs: "1fr", sm: "1fr 1fr", lg: "repeat(4, 1fr)" } }}>
          <TextField select label="Strategy" size="small" value={strategy} onChange={(e) => setStrategy(e.target.value)} error={!!errors.strategy} helperText={errors.strategy ?? "Default: smc"} disabled={!admin}>
            <MenuItem value="">(default)</MenuItem>
            <MenuItem value="smc">smc</MenuItem>
            <MenuItem value="sma_cross">sma_cross</MenuItem>
          </TextField>
          <TextField label="Timeframes" size="small" value={timeframes} onChange={(e) => setTimeframes(e.target.value)} error={!!errors.timeframes} helperText={errors.timeframes ?? "Entry, [confirming…,] bias"} slotProps={readOnly} />
          {PARAMS.map((p) =>
            p.kind === "flag" ? (
              <FormControlLabel
                key={p.key}
                label={p.label}
                control={<Checkbox checked={texts[p.key] === "true"} disabled={!admin} onChange={(e) => setText(p.key, String(e.target.checked))} />}
              />
            ) : (
              <TextField
                key={p.key}
                label={p.label}
                size="small"
                value={texts[p.key] ?? ""}
                onChange={(e) => setText(p.key, e.target.value)}
                error={!!errors[p.key]}
                helperText={errors[p.key] ?? p.help}
                slotProps={readOnly}
              />
            ),
          )}
        </Box>
        <Accordion sx={{ mt: 2 }} disableGutters>
          <AccordionSummary aria-controls="strategy-json" id="strategy-json-header">
            <Typography>All parameters as JSON (stop, target, exits, detectors…)</Typography>
          </AccordionSummary>
          <AccordionDetails id="strategy-json">
            <TextField
              label="Parameters (JSON)"
              multiline
              minRows={6}
              fullWidth
              value={json}
              onChange={(e) => setJson(e.target.value)}
              error={!!errors.json}
              helperText={errors.json ?? "Keys as in the config file's backtest.smc_strategy; Apply to the form, then Save."}
              slotProps={{ input: { readOnly: !admin, sx: { fontFamily: "monospace", fontSize: 13 } } }}
            />
            {admin && (
              <Box sx={{ display: "flex", gap: 1, mt: 1 }}>
                <Button onClick={applyJson}>Apply JSON</Button>
                <Button onClick={() => setJson(JSON.stringify(merge(params, texts), null, 2))}>Show the form's values</Button>
              </Box>
            )}
          </AccordionDetails>
        </Accordion>
        {admin && (
          <Button type="submit" variant="contained" disabled={busy || !loaded.data} sx={{ mt: 2 }}>
            Save strategy
          </Button>
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
