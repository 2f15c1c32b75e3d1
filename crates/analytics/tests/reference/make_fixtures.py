"""Builds the analytics reference inputs from the repository's real market data.

Deterministic strategy equity curves in exact decimal arithmetic:

* ``eth_1h``: ETHUSDT 1h (Binance spot, 2021, with a six-month gap from April
  to September). Trade i enters at the open of bar 17 + 30 i and exits at the
  open of bar 37 + 30 i (a fixed 20-bar hold; one trade spans the gap);
  every third trade is short;
  2.5 ETH; 0.1 % fee per leg. The last trade is still open at the end.
* ``eurusd_1d``: EURUSD daily (OANDA, 2007-2018, with Sunday bars and a
  holiday gap). Back-to-back 20-bar longs of 10 000 EUR, exit and re-entry at
  the same open (buy and hold that realises P&L every 20 bars); 0.005 % fee
  per leg. The last trade is still open at the end.

Equity is marked at every bar close (time = bar open + bar length, as the
engine stamps its marks): 10 000 + closed P&L + the open trade's unrealised
P&L at the close minus its entry fee. Trade times are the open times of the
bars that filled them (the engine's convention).

Usage: python make_fixtures.py <repo root> <fixtures dir>
"""

import csv
import sys
from decimal import Decimal, getcontext
from pathlib import Path

getcontext().prec = 34

SETUPS = ["ob:1h", "fvg:4h", "bos:1h", "choch:15m", "sweep:1h"]


def read_bars(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    return [(int(r["timestamp"]), Decimal(r["open"]), Decimal(r["close"])) for r in rows]


def plan_trades(n, first, hold, every, short_every, setups):
    """(entry bar, exit bar or None, side, setup) for each trade."""
    plans, i, k = [], 0, first
    while k < n:
        exit_bar = k + hold if k + hold < n else None
        side = -1 if short_every and i % short_every == short_every - 1 else 1
        plans.append((k, exit_bar, side, setups[(i * 7) % len(setups)]))
        i, k = i + 1, k + every
    return plans


def simulate(bars, bar_ms, plans, size, fee_rate, cash0):
    entries = {p[0]: p for p in plans}
    exits = {p[1]: p for p in plans if p[1] is not None}
    realised, open_trade, equity, trades = Decimal(0), None, [], []
    for idx, (t, o, c) in enumerate(bars):
        # Exits fill before entries at the same open (back-to-back holds).
        if idx in exits and open_trade is not None:
            k, _, side, setup, entry_price, entry_fee = open_trade
            exit_fee = fee_rate * size * o
            pnl = side * size * (o - entry_price) - entry_fee - exit_fee
            realised += pnl
            trades.append((bars[k][0], t, entry_price, o, side, pnl, entry_fee + exit_fee, setup))
            open_trade = None
        if idx in entries:
            k, exit_bar, side, setup = entries[idx]
            open_trade = (k, exit_bar, side, setup, o, fee_rate * size * o)
        mark = cash0 + realised
        if open_trade is not None:
            _, _, side, _, entry_price, entry_fee = open_trade
            mark += side * size * (c - entry_price) - entry_fee
        equity.append((t + bar_ms, mark))
    if open_trade is not None:
        k, _, side, setup, entry_price, entry_fee = open_trade
        pnl = side * size * (bars[-1][2] - entry_price) - entry_fee
        trades.append((bars[k][0], None, entry_price, None, side, pnl, entry_fee, setup))
    return equity, trades


def plain(d):
    """Shortest exact positional form (no exponent): 1E+4 -> 10000."""
    return format(d.normalize(), "f")


def write(out_dir, name, equity, trades, size):
    with open(out_dir / f"{name}_equity.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["time_ms", "equity"])
        w.writerows((t, plain(e)) for t, e in equity)
    with open(out_dir / f"{name}_trades.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["entry_time", "exit_time", "entry_price", "exit_price", "size",
                    "side", "pnl", "fees", "setup"])
        for et, xt, ep, xp, side, pnl, fees, setup in trades:
            w.writerow([et, "" if xt is None else xt, ep, "" if xp is None else xp, size,
                        "long" if side > 0 else "short", plain(pnl),
                        plain(fees), setup])


def main():
    root, out_dir = Path(sys.argv[1]), Path(sys.argv[2])
    eth = read_bars(root / "testdata/market/binance-spot/ETHUSDT-1h.csv")
    plans = plan_trades(len(eth), 17, 20, 30, 3, SETUPS)
    equity, trades = simulate(eth, 3_600_000, plans, Decimal("2.5"), Decimal("0.001"),
                              Decimal(10_000))
    write(out_dir, "eth_1h", equity, trades, Decimal("2.5"))

    eur = read_bars(root / "testdata/market/oanda/EURUSD-1d.csv")
    plans = plan_trades(len(eur), 0, 20, 20, 0, ["ob:1d", "fvg:1d", "hold:1d"])
    equity, trades = simulate(eur, 86_400_000, plans, Decimal(10_000), Decimal("0.00005"),
                              Decimal(10_000))
    write(out_dir, "eurusd_1d", equity, trades, Decimal(10_000))


if __name__ == "__main__":
    main()
