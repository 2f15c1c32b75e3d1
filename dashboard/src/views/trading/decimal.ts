// Exact arithmetic on the API's decimal strings (BigInt scaled integers):
// sums and differences of money without float rounding.

interface Scaled {
  units: bigint;
  scale: number;
}

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?$/;

function parse(value: string): Scaled | null {
  const m = DECIMAL.exec(value.trim());
  if (!m) return null;
  const fraction = m[3] ?? "";
  const units = BigInt(`${m[2]}${fraction}`);
  return { units: m[1] === "-" ? -units : units, scale: fraction.length };
}

function rescale(a: Scaled, scale: number): bigint {
  return a.units * 10n ** BigInt(scale - a.scale);
}

function render({ units, scale }: Scaled): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale) || "0";
  const fraction = digits.slice(digits.length - scale).replace(/0+$/, "");
  const text = fraction ? `${whole}.${fraction}` : whole;
  return negative && text !== "0" ? `-${text}` : text;
}

function combine(a: string, b: string, op: (x: bigint, y: bigint) => bigint): string | null {
  const x = parse(a);
  const y = parse(b);
  if (!x || !y) return null;
  const scale = Math.max(x.scale, y.scale);
  return render({ units: op(rescale(x, scale), rescale(y, scale)), scale });
}

/** a + b, exactly; null when either is not a decimal. */
export function add(a: string, b: string): string | null {
  return combine(a, b, (x, y) => x + y);
}

/** a − b, exactly; null when either is not a decimal. */
export function sub(a: string, b: string): string | null {
  return combine(a, b, (x, y) => x - y);
}

/** The sum of the decimals given (skipping nulls); null when there are none. */
export function sum(values: readonly (string | null | undefined)[]): string | null {
  let total: string | null = null;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    total = add(total ?? "0", v);
    if (total === null) return null;
  }
  return total;
}

/** −1, 0 or 1 as a is below, equal to or above b; null when not decimals. */
export function compare(a: string, b: string): -1 | 0 | 1 | null {
  const d = sub(a, b);
  if (d === null) return null;
  return d.startsWith("-") ? -1 : d === "0" ? 0 : 1;
}

/** Whether `value` is a decimal string greater than zero. */
export function isPositive(value: string): boolean {
  return parse(value) !== null && compare(value, "0") === 1;
}

/** a × 10^n exactly (n may be negative): a fraction as a percent with n = 2. */
export function shift(a: string, n: number): string | null {
  const x = parse(a);
  if (!x) return null;
  if (n >= 0) return render({ units: x.units * 10n ** BigInt(n), scale: x.scale });
  return render({ units: x.units, scale: x.scale - n });
}

/** a ÷ b to `places` decimals, the last rounded half to even; null for a zero or non-decimal b. */
export function divide(a: string, b: string, places: number): string | null {
  const x = parse(a);
  const y = parse(b);
  if (!x || !y || y.units === 0n) return null;
  // a/b = (x.units / 10^x.scale) / (y.units / 10^y.scale); scaled by 10^places.
  let num = x.units * 10n ** BigInt(places + y.scale);
  let den = y.units * 10n ** BigInt(x.scale);
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  const negative = num < 0n;
  const abs = negative ? -num : num;
  let q = abs / den;
  const twice = (abs % den) * 2n;
  if (twice > den || (twice === den && q % 2n === 1n)) q += 1n;
  return render({ units: negative ? -q : q, scale: places });
}
