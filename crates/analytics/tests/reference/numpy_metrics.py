"""Reference values for smc-analytics, computed with numpy and pandas.

Implements every formula of crates/analytics/README.md independently of the
Rust code (vectorised numpy/pandas, numpy's own std, quantile and sums) and
writes the JSON shape of `smc_analytics::Analysis`, with null where a metric
is undefined.

Usage: python numpy_metrics.py <equity.csv> <trades.csv> <out.json> [risk_free_rate]
"""

import json
import math
import sys

import numpy as np
import pandas as pd

YEAR_MS = 365.25 * 86_400_000
RETURN_TOLERANCE = 1e-12


def opt(x):
    """A finite float, or None (JSON null)."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def curve_metrics(t, e, rf):
    n = len(e)
    out = {}
    years = (t[-1] - t[0]) / YEAR_MS if n >= 2 and t[-1] > t[0] else None
    bpy = (n - 1) / years if years else None
    out["total_return"] = opt(e[-1] / e[0] - 1) if n >= 2 and e[0] > 0 else None
    out["cagr"] = (
        opt((e[-1] / e[0]) ** (1 / years) - 1) if years and e[0] > 0 and e[-1] >= 0 else None
    )
    # Returns are undefined if any equity before the last is <= 0.
    r = e[1:] / e[:-1] - 1 if n >= 2 and (e[:-1] > 0).all() else np.array([])
    scale = max(1.0, np.abs(r).max()) if r.size else 1.0
    std = np.std(r, ddof=1) if r.size >= 2 else None
    if std is not None and std <= RETURN_TOLERANCE * scale:
        std = 0.0
    target = rf / bpy if bpy else None
    out["volatility"] = opt(std * np.sqrt(bpy)) if std is not None and bpy else None
    out["sharpe"] = (
        opt((r.mean() - target) / std * np.sqrt(bpy)) if std and bpy else None
    )
    if r.size and bpy:
        dd = np.sqrt(np.mean(np.minimum(r - target, 0.0) ** 2))
        ok = dd > RETURN_TOLERANCE * scale
        out["sortino"] = opt((r.mean() - target) / dd * np.sqrt(bpy)) if ok else None
    else:
        out["sortino"] = None
    if n and e[0] > 0:
        peak = np.maximum.accumulate(e)
        out["max_drawdown"] = float(np.max(1 - e / peak))
        out["max_drawdown_duration_ms"] = drawdown_duration(t, e, peak)
    else:
        out["max_drawdown"] = out["max_drawdown_duration_ms"] = None
    mdd = out["max_drawdown"]
    out["calmar"] = opt(out["cagr"] / mdd) if out["cagr"] is not None and mdd else None
    for c in (95, 99):
        if r.size:
            q = np.quantile(r, 1 - c / 100)  # numpy default: method="linear"
            out[f"var_{c}"] = opt(-q)
            edge = q + RETURN_TOLERANCE * max(1.0, abs(q))
            out[f"cvar_{c}"] = opt(-r[r <= edge].mean())
        else:
            out[f"var_{c}"] = out[f"cvar_{c}"] = None
    return out, bpy


def drawdown_duration(t, e, peak):
    """Longest peak-to-recovery time, or peak-to-end if never recovered."""
    s = pd.DataFrame({"t": t, "under": e < peak})
    # Time of the last point at the running peak, carried through each dip.
    s["peak_t"] = s["t"].where(~s["under"]).ffill()
    recovered = (~s["under"]) & s["under"].shift(1, fill_value=False)
    lengths = list(s["t"][recovered] - s["peak_t"].shift(1)[recovered])
    if s["under"].iloc[-1]:
        lengths.append(s["t"].iloc[-1] - s["peak_t"].iloc[-1])
    return int(max(lengths, default=0))


def trade_metrics(trades, times):
    closed = trades[trades["exit_time"].notna()]
    pnl = closed["pnl"].to_numpy(dtype=float)
    wins, losses = pnl[pnl > 0], pnl[pnl < 0]
    out = {
        "win_rate": opt(len(wins) / len(pnl)) if len(pnl) else None,
        "profit_factor": opt(wins.sum() / -losses.sum()) if len(losses) else None,
        "expectancy": opt(pnl.mean()) if len(pnl) else None,
        "avg_win": opt(wins.mean()) if len(wins) else None,
        "avg_loss": opt(losses.mean()) if len(losses) else None,
        "trades": int(len(pnl)),
    }
    # Bar i spans [t_i, t_{i+1}); a trade [entry, exit] (open: to +inf).
    if len(times):
        starts = times[None, :]
        ends = np.append(times[1:], np.inf)[None, :]
        entry = trades["entry_time"].to_numpy(dtype=float)[:, None]
        exit_ = trades["exit_time"].fillna(np.inf).to_numpy(dtype=float)[:, None]
        held = ((entry < ends) & (exit_ >= starts) & (exit_ >= entry)).any(axis=0)
        out["exposure"] = float(held.mean())
    else:
        out["exposure"] = None
    return out


def monthly_returns(t, e):
    """Points with month_start < t <= next month_start form a month; the base
    is the last point at or before the month start (else the first point)."""
    if len(e) < 2:
        return []
    idx = pd.to_datetime(t[1:] - 1, unit="ms")  # naive datetimes, read as UTC
    months = pd.Series(e[1:], index=idx).groupby(idx.to_period("M")).last()
    rows = []
    for period, last in months.items():
        start_ms = period.start_time.value // 1_000_000
        i = np.searchsorted(t, start_ms, side="right") - 1
        base = e[max(i, 0)]
        rows.append({
            "year": period.year,
            "month": period.month,
            "return": opt(last / base - 1) if base > 0 else None,
        })
    return rows


def setup_stats(trades):
    closed = trades[trades["exit_time"].notna()].copy()
    closed["pnl_f"] = closed["pnl"].astype(float)
    rows = []
    for setup, g in sorted(closed.groupby("setup"), key=lambda kv: kv[0].encode()):
        p = g["pnl_f"].to_numpy()
        losses = p[p < 0]
        rows.append({
            "setup": setup,
            "trades": int(len(p)),
            "win_rate": float((p > 0).mean()),
            "total_pnl": float(p.sum()),
            "avg_pnl": float(p.mean()),
            "profit_factor": opt(p[p > 0].sum() / -losses.sum()) if len(losses) else None,
        })
    return rows


def main():
    equity_csv, trades_csv, out_json = sys.argv[1:4]
    rf = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
    eq = pd.read_csv(equity_csv, dtype={"equity": str})
    t = eq["time_ms"].to_numpy(dtype=np.int64)
    # Python's float(str) is correctly rounded, like smc_model::num::to_f64.
    e = np.array([float(x) for x in eq["equity"]])
    trades = pd.read_csv(trades_csv, dtype={"pnl": str, "setup": str})
    trades["pnl"] = [float(x) for x in trades["pnl"]]
    metrics, bpy = curve_metrics(t, e, rf)
    metrics.update(trade_metrics(trades, t.astype(float)))
    result = {
        "metrics": metrics,
        "monthly_returns": monthly_returns(t, e),
        "setups": setup_stats(trades),
        "bars_per_year": opt(bpy),
    }
    with open(out_json, "w") as f:
        json.dump(result, f, indent=1, allow_nan=False)
        f.write("\n")


if __name__ == "__main__":
    main()
