// Formatting for people: prices and money keep the server's decimal
// strings (no float rounding of what the venue reported).

export function money(value: string | null | undefined, digits = 2): string {
  if (value === null || value === undefined || value === "") return "—";
  const n = Number(value);
  if (!Number.isFinite(n)) return value;
  return n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function percent(fraction: number | null | undefined, digits = 2): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return "—";
  return `${(fraction * 100).toFixed(digits)} %`;
}

export function time(epochMs: number | null | undefined): string {
  if (epochMs === null || epochMs === undefined) return "—";
  return new Date(epochMs).toISOString().replace("T", " ").slice(0, 19);
}

/** A signed decimal string's sign, for colouring P&L. */
export function sign(value: string | null | undefined): -1 | 0 | 1 {
  if (!value) return 0;
  const n = Number(value);
  return n > 0 ? 1 : n < 0 ? -1 : 0;
}
