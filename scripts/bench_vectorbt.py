#!/usr/bin/env python3
"""vectorbt's time for the sma_cross benchmark on a CSV series, run by
scripts/bench_backtest.py in vectorbt's own virtualenv (it pins numpy and
pandas versions that the reference tools' venv does not share). Prints one
JSON line: the warm time of the whole pipeline (moving averages, crossings,
signals shifted one bar, `Portfolio.from_signals` at the next open, all-in,
0.1 % fees) and the final value, after one untimed call that pays numba's
JIT compilation — the "full, warm" row of shared/research/peer_bench.

Usage: python bench_vectorbt.py SERIES.csv
"""

import json
import resource
import sys
import time

import numpy as np
import pandas as pd
import vectorbt as vbt


def run(close, open_):
    fast = vbt.MA.run(close, 20).ma
    slow = vbt.MA.run(close, 50).ma
    long = (fast > slow).to_numpy()
    # Decided on the close, filled at the next bar's open (as our engine).
    entries = np.zeros_like(long)
    exits = np.zeros_like(long)
    entries[1:] = long[:-1] & ~np.r_[False, long[:-2]]
    exits[1:] = ~long[:-1] & np.r_[False, long[:-2]]
    pf = vbt.Portfolio.from_signals(close, entries, exits, price=open_, size=np.inf, fees=0.001,
                                    init_cash=100_000, freq="1min")
    return pf.final_value(), pf.trades.count()


def main():
    raw = pd.read_csv(sys.argv[1])
    close = pd.Series(raw.close.to_numpy())
    open_ = pd.Series(raw.open.to_numpy())
    run(close, open_)  # JIT compile, untimed
    times = []
    for _ in range(3):
        t = time.perf_counter()
        value, trades = run(close, open_)
        times.append(time.perf_counter() - t)
    print(json.dumps({"seconds": min(times), "final_value": float(value), "trades": int(trades),
                      "version": vbt.__version__,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    main()
