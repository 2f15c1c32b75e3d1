// How much of each risk limit a session uses, for display: the largest
// position against max_position_size, today's loss (GET /pnl's today_pnl,
// by the session's candle clock; the loss since start from older servers)
// against max_daily_loss, gross leverage, VaR against its cap, the drawdown
// from the peak (GET /pnl's drawdown) against max_drawdown_percent. Ratios
// are floats for the bars only; the figures shown are the API's decimals.

import { money } from "../../format";
import { compare, shift, sub, sum } from "../trading/decimal";
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

/** The loss in a P&L figure (0 for a gain); null when unknown. */
function lossOf(pnl: string | null | undefined): string | null {
  if (pnl === null || pnl === undefined) return null;
  return pnl.startsWith("-") ? sub("0", pnl) : "0";
}

function dailyLoss(pnl: PnlRow | undefined, limits: Limits): LimitUse {
  const limit = `${limits.max_daily_loss} a day`;
  if (pnl?.today_pnl !== undefined) {
    const loss = lossOf(pnl.today_pnl);
    return {
      label: "Loss today",
      used: loss === null ? "—" : money(loss),
      limit,
      ratio: ratio(loss, limits.max_daily_loss),
      note: pnl.today_pnl === null ? "no equity mark yet" : "since the session's UTC day began, by its candles' clock",
    };
  }
  const loss = lossOf(pnl?.pnl);
  return {
    label: "Loss since the session started",
    used: loss === null ? "—" : money(loss),
    limit,
    ratio: ratio(loss, limits.max_daily_loss),
    note: "this server gives P&L since start, not since the day began",
  };
}

function drawdown(pnl: PnlRow | undefined, limits: Limits): LimitUse {
  const max = limits.max_drawdown_percent;
  const limit = max === null ? "no limit" : `${max} %`;
  if (pnl?.drawdown === undefined) {
    return { label: "Drawdown", used: "—", limit, ratio: null, note: "this server gives no peak equity" };
  }
  const percent = pnl.drawdown === null ? null : shift(pnl.drawdown, 2);
  return {
    label: "Drawdown",
    used: percent === null ? "—" : `${money(percent)} %`,
    limit,
    ratio: max === null ? null : ratio(percent, max),
    note: pnl.drawdown === null ? "no equity mark yet" : `below the peak equity of ${money(pnl.peak_equity)}`,
  };
}

export function limitUse(s: RiskSession, limits: Limits, pnl: PnlRow | undefined): LimitUse[] {
  const biggest = largest(s.exposure.map((e) => e.notional));
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
    dailyLoss(pnl, limits),
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
    drawdown(pnl, limits),
  ];
}
