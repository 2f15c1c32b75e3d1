// How much of each risk limit a session uses, for display: the largest
// position against max_position_size, the loss since the session started
// against max_daily_loss, gross leverage, VaR against its cap. Ratios are
// floats for the bars only; the figures shown are the API's decimals.

import { money } from "../../format";
import { compare, sub, sum } from "../trading/decimal";
import type { PnlRow } from "../trading/types";
import type { Limits, RiskSession } from "./types";

export interface LimitUse {
  label: string;
  /** What is used, in words ("—" when the API does not say). */
  used: string;
  /** The limit in words ("no limit" when unset). */
  limit: string;
  /** used / limit, when both are known. */
  ratio: number | null;
  note?: string;
}

function ratio(used: string | null, limit: string | null): number | null {
  if (used === null || limit === null) return null;
  const u = Number(used);
  const l = Number(limit);
  return Number.isFinite(u) && Number.isFinite(l) && l > 0 ? u / l : null;
}

function largest(values: string[]): string | null {
  return values.reduce<string | null>((best, v) => (best === null || compare(v, best) === 1 ? v : best), null);
}

/** The gross notional: per venue at the mark when the server gives it, else per position at entry. */
export function grossNotional(s: RiskSession): string | null {
  const byVenue = s.exposure_by_venue;
  if (byVenue) return sum(byVenue.map((v) => v.notional)) ?? "0";
  return sum(s.exposure.map((e) => e.notional)) ?? "0";
}

export function limitUse(s: RiskSession, limits: Limits, pnl: PnlRow | undefined): LimitUse[] {
  const biggest = largest(s.exposure.map((e) => e.notional));
  const loss = pnl?.pnl ? (pnl.pnl.startsWith("-") ? sub("0", pnl.pnl) : "0") : null;
  const gross = grossNotional(s);
  const leverage = gross !== null && s.equity !== null && Number(s.equity) > 0 ? Number(gross) / Number(s.equity) : null;
  const varPercent = s.var?.percent ?? null;
  return [
    {
      label: "Largest position (notional at entry)",
      used: biggest ?? "0",
      limit: limits.max_position_size,
      ratio: ratio(biggest ?? "0", limits.max_position_size),
    },
    {
      label: "Loss since the session started",
      used: loss === null ? "—" : money(loss),
      limit: `${limits.max_daily_loss} a day`,
      ratio: ratio(loss, limits.max_daily_loss),
      note: "the API gives P&L since start, not since the day began",
    },
    {
      label: "Gross leverage",
      used: leverage === null ? "—" : `${leverage.toFixed(2)}×`,
      limit: limits.max_leverage === null ? "no limit" : `${limits.max_leverage}×`,
      ratio: leverage === null || limits.max_leverage === null ? null : ratio(String(leverage), limits.max_leverage),
    },
    {
      label: `VaR (${s.var?.confidence ?? limits.var_confidence})`,
      used: varPercent === null ? "—" : `${varPercent} %`,
      limit: limits.max_portfolio_var_percent === null ? "no limit" : `${limits.max_portfolio_var_percent} %`,
      ratio: ratio(varPercent, limits.max_portfolio_var_percent),
      note: s.var === undefined ? "this server does not report VaR" : s.var === null ? "not measured yet" : undefined,
    },
    {
      label: "Drawdown",
      used: "—",
      limit: limits.max_drawdown_percent === null ? "no limit" : `${limits.max_drawdown_percent} %`,
      ratio: null,
      note: "the API gives no peak equity",
    },
  ];
}
