// The time axis labels: the same words lightweight-charts writes by default
// (Date.toLocaleString in UTC, per tick mark type), from Intl.DateTimeFormat
// objects made once per locale and type. The library's default makes a new
// formatter for every label it measures, which was ~18 ms of the first
// render of 10,000 candles.

import type { Time, TickMarkType } from "lightweight-charts";

/** The library's options per TickMarkType (Year, Month, DayOfMonth, Time, TimeWithSeconds). */
const OPTIONS: readonly Intl.DateTimeFormatOptions[] = [
  { timeZone: "UTC", year: "numeric" },
  { timeZone: "UTC", month: "short" },
  { timeZone: "UTC", day: "numeric" },
  { timeZone: "UTC", hour12: false, hour: "2-digit", minute: "2-digit" },
  { timeZone: "UTC", hour12: false, hour: "2-digit", minute: "2-digit", second: "2-digit" },
];

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(locale: string, type: number): Intl.DateTimeFormat | null {
  const options = OPTIONS[type];
  if (!options) return null;
  const key = `${type}|${locale}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, options);
    formatters.set(key, f);
  }
  return f;
}

/** A `timeScale.tickMarkFormatter`: UTC timestamps (seconds) only; null leaves other times to the library. */
export function tickMarkLabel(time: Time, type: TickMarkType, locale: string): string | null {
  if (typeof time !== "number") return null;
  return formatter(locale, type)?.format(time * 1000) ?? null;
}
