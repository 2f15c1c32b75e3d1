// Shared helpers of the Settings forms: client-side checks of decimal
// inputs, which form field a server validation error names, decimals
// sent as JSON numbers only when that keeps their text exactly, and
// masking of secret-looking config keys.

import { ApiError } from "../../api/client";

export type Rule = "decimal" | "positive" | "percent" | "fraction" | "count";

const DECIMAL = /^\d+(\.\d+)?$/;

/** Why `text` breaks `rule`, or null when it is fine (empty is fine: required is checked apart). */
export function checkValue(text: string, rule: Rule): string | null {
  const t = text.trim();
  if (t === "") return null;
  if (rule === "count") return /^\d+$/.test(t) && Number(t) >= 1 ? null : "Must be a whole number of at least 1.";
  if (!DECIMAL.test(t)) return "Must be a positive number (digits and one dot).";
  const n = Number(t);
  switch (rule) {
    case "decimal":
      return null;
    case "positive":
      return n > 0 ? null : "Must be above 0.";
    case "percent":
      return n > 0 && n <= 100 ? null : "Must be a percentage above 0 and at most 100.";
    case "fraction":
      return n > 0 && n < 1 ? null : "Must be between 0 and 1 (e.g. 0.99).";
  }
}

/** The form key a server validation error names (`risk_manager.x`, `params.x`, a dotted key in the message). */
export function fieldOf(error: unknown, prefixes: string[]): string | null {
  if (!(error instanceof ApiError) || !error.field) return null;
  const candidates = [error.field, ...(error.message.match(/[a-z_]+(?:\.[a-z_]+)+/g) ?? [])];
  for (const candidate of candidates) {
    for (const prefix of prefixes) {
      if (candidate.startsWith(`${prefix}.`)) return candidate.slice(prefix.length + 1).split(".")[0] ?? null;
    }
  }
  return prefixes.includes(error.field) ? null : (error.field.split(".").pop() ?? null);
}

/** A decimal as a JSON number when the number prints back as the same decimal, else as the string. */
export function jsonDecimal(text: string): number | string {
  const t = text.trim();
  const canonical = t.replace(/^0+(?=\d)/, "").replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, "");
  const n = Number(t);
  return Number.isFinite(n) && String(n) === canonical ? n : t;
}

const SECRET = /(secret|key|token|password|passphrase|private)/i;

/** `value` with every secret-looking key's value replaced by a mask, at any depth. */
export function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, SECRET.test(k) && v !== null && v !== "" ? "•••• (hidden)" : maskSecrets(v)]),
    );
  }
  return value;
}

/** A config value in one line. */
export function show(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (Array.isArray(value)) return value.map(show).join(", ");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
