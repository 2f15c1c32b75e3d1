// The smc strategy's known parameters (backtest.smc_strategy) as form
// fields, and the conversions between the form's texts and the JSON the
// server takes. Other keys (stop, target, exits, detectors) are edited in
// the JSON editor.

import { checkValue, jsonDecimal, type Rule } from "./fields";

export interface Param {
  key: string;
  label: string;
  kind: Rule | "timeframe" | "timeframes" | "flag";
  help: string;
}

export const PARAMS: Param[] = [
  { key: "bias_timeframe", label: "Bias timeframe", kind: "timeframe", help: "e.g. 4h (default 1h)" },
  { key: "confirm_timeframes", label: "Confirming timeframes", kind: "timeframes", help: "Comma-separated, may be empty" },
  { key: "risk_percent", label: "Risk per trade %", kind: "percent", help: "Optional; else trading.position_size_percent" },
  { key: "reward_risk", label: "Reward : risk", kind: "positive", help: "Target in R (default 2)" },
  { key: "stop_buffer", label: "Stop buffer", kind: "decimal", help: "Fraction of the zone's height (default 0.1)" },
  { key: "entry_expiry_bars", label: "Entry expiry bars", kind: "count", help: "Default 30" },
  { key: "atr_period", label: "ATR period", kind: "count", help: "Default 14" },
  { key: "allow_short", label: "Allow short", kind: "flag", help: "Needs a margin account" },
];

const TIMEFRAME = /^\d+[smhdwM]$/;

export function textsOf(params: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    PARAMS.map((p) => {
      const v = params[p.key];
      if (v === undefined || v === null) return [p.key, p.kind === "flag" ? "false" : ""];
      return [p.key, Array.isArray(v) ? v.join(", ") : String(v)];
    }),
  );
}

export function checkTexts(texts: Record<string, string>): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const p of PARAMS) {
    const text = (texts[p.key] ?? "").trim();
    let problem: string | null = null;
    if (p.kind === "timeframe") problem = text === "" || TIMEFRAME.test(text) ? null : "A timeframe such as 15m, 1h, 4h or 1d.";
    else if (p.kind === "timeframes") problem = split(text).every((t) => TIMEFRAME.test(t)) ? null : "Timeframes such as 15m, 1h, 4h, 1d.";
    else if (p.kind !== "flag") problem = checkValue(text, p.kind);
    if (problem) errors[p.key] = problem;
  }
  return errors;
}

export function split(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}

/** `params` with the form's known fields laid over it (an empty field removes its key: the default applies). */
export function merge(params: Record<string, unknown>, texts: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...params };
  for (const p of PARAMS) {
    const text = (texts[p.key] ?? "").trim();
    if (p.kind === "flag") out[p.key] = text === "true";
    else if (p.kind === "timeframes") out[p.key] = split(text);
    else if (text === "") delete out[p.key];
    else if (p.kind === "timeframe") out[p.key] = text;
    else if (p.kind === "count") out[p.key] = Number(text);
    else out[p.key] = jsonDecimal(text);
  }
  return out;
}
