#!/usr/bin/env python3
"""Cross-check `smc backtest --strategy sma-cross` against backtesting.py 0.6.6
on real series (issue 4): SMA20/SMA50 long-only, all-in, fee 0.1 % per side,
cash 100,000, market orders filled at the next bar's open, backtesting.py's
`FractionalBacktest(fractional_unit=1e-8)` with the conventions of
shared/research/peer_bench (bench_backtesting.py).

backtesting.py makes its first decision one bar after both averages exist,
as our default `--first-decision one-bar-after` does. Where SMA20 and SMA50
are equal up to floating-point noise at a decision bar, the two tools may
legitimately decide differently; the comparison then stops at that bar.
Everywhere else entry and exit times and prices must be identical, and the
final equity within 1 % (backtesting.py sizes in whole 1e-8 units with
`size=1-ε`).

Usage: python scripts/backtest_crosscheck.py --smc target/release/smc
Ends with `N passed, M failed`; exits 1 on a failure.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import pandas as pd
from backtesting import Strategy
from backtesting.lib import FractionalBacktest

warnings.filterwarnings("ignore")
ROOT = Path(__file__).resolve().parent.parent
SERIES = [
    "market/binance-spot/ETHUSDT-1h.csv",
    "market/binance-usdm/BTCUSDT-1m.csv",
    "market/bybit-spot/BTCUSDT-1m.csv",
    "market/oanda/EURUSD-1d.csv",
    "market/coinbase/BTCUSD-1d.csv",
    "market/fxcm/GBPUSD-1m.csv",
]
CASH, FEE, FAST, SLOW = 100_000, 0.001, 20, 50


def sma(values, n):
    return pd.Series(values).rolling(n).mean().to_numpy()


class SmaCross(Strategy):
    def init(self):
        self.fast = self.I(sma, self.data.Close, FAST)
        self.slow = self.I(sma, self.data.Close, SLOW)

    def next(self):
        if self.fast[-1] > self.slow[-1]:
            if not self.position:
                self.buy()
        elif self.position:
            self.position.close()


def peer_trades(df):
    bt = FractionalBacktest(df, SmaCross, cash=CASH, commission=FEE, trade_on_close=False,
                            exclusive_orders=False, finalize_trades=False, fractional_unit=1e-8)
    stats = bt.run()
    closed = [(int(r.EntryTime.value // 1_000_000), int(r.ExitTime.value // 1_000_000),
               float(r.EntryPrice), float(r.ExitPrice)) for r in stats["_trades"].itertuples()]
    # Open trades are reported in FractionalBacktest's internal units (prices
    # × 1e-8); closed ones are converted back.
    opened = [(int(t.entry_time.value // 1_000_000), None, float(t.entry_price) / 1e-8, None)
              for t in stats["_strategy"].trades]
    return closed + opened, float(stats["Equity Final [$]"])


def our_trades(smc, path):
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        # backtesting.py runs every series on a cash account with a
        # percentage fee: --account spot keeps forex series that way too.
        subprocess.run([smc, "backtest", "--input", str(path), "--strategy", "sma-cross", "--cash", str(CASH),
                        "--fee", str(FEE), "--account", "spot", "--json", out.name], check=True,
                       capture_output=True)
        data = json.load(open(out.name))
    trades = [(t["entry_time"], t["exit_time"], float(t["entry_price"]),
               None if t["exit_price"] is None else float(t["exit_price"])) for t in data["trades"]]
    return trades, float(data["final_equity"])


def ambiguous_times(df):
    """Open times of the bars after a decision bar where SMA20 ≈ SMA50."""
    fast, slow = sma(df.Close, FAST), sma(df.Close, SLOW)
    close = df.Close.to_numpy()
    times = df.index.as_unit("ms").asi8
    return [int(times[i + 1]) for i in range(len(df) - 1)
            if abs(fast[i] - slow[i]) <= 1e-9 * abs(close[i])]


def same(a, b):
    def price(x, y):
        return (x is None and y is None) or (x is not None and y is not None and abs(x - y) <= 1e-9 * abs(y))
    return a[0] == b[0] and a[1] == b[1] and price(a[2], b[2]) and price(a[3], b[3])


def check(smc, rel):
    path = ROOT / "testdata" / rel
    raw = pd.read_csv(path)
    df = pd.DataFrame({"Open": raw.open, "High": raw.high, "Low": raw.low, "Close": raw.close,
                       "Volume": raw.volume}).set_index(pd.to_datetime(raw.timestamp, unit="ms"))
    theirs, their_equity = peer_trades(df)
    ours, our_equity = our_trades(smc, path)
    first_diff = next((k for k, (a, b) in enumerate(zip(ours, theirs)) if not same(a, b)), None)
    if first_diff is None and len(ours) != len(theirs):
        first_diff = min(len(ours), len(theirs))
    if first_diff is None:
        gap = abs(our_equity / their_equity - 1)
        ok = gap < 0.01
        return ok, f"{len(ours)} trades identical, equity {our_equity:.6f} vs {their_equity:.6f} ({gap:.2e})"
    limit = min(x[0] for x in (ours[first_diff:first_diff + 1] + theirs[first_diff:first_diff + 1]))
    ties = [t for t in ambiguous_times(df) if t <= limit]
    if ties:
        return True, f"identical for {first_diff} trades, then diverged after an SMA20≈SMA50 tie at {ties[-1]}"
    a = ours[first_diff] if first_diff < len(ours) else None
    b = theirs[first_diff] if first_diff < len(theirs) else None
    return False, f"trade {first_diff} differs: ours {a} vs backtesting.py {b}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--smc", required=True)
    args = ap.parse_args()
    passed = failed = 0
    for rel in SERIES:
        ok, msg = check(args.smc, rel)
        print(f"{'PASS' if ok else 'FAIL'} {rel}: {msg}")
        passed, failed = passed + ok, failed + (not ok)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
