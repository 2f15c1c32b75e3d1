"""Times the reference library smartmoneyconcepts 0.0.27 on one series and
prints, per indicator, seconds and candles per second as JSON lines: the
peer half of scripts/bench_smc.sh (our half is the `throughput` example).

The series is the MetaTrader fixture tiled to --size candles, each copy
shifted by 52 weeks (weekday and time of day kept, so sessions and
resampling see real calendars) — the method of
shared/research/bench_smc_python.py, whose published figures this
reproduces. Swings are precomputed and excluded from the timings of the
indicators that take them, as there.
"""

import argparse
import json
import os
import statistics
import sys
import time
import warnings

os.environ.setdefault("SMC_CREDIT", "0")
warnings.simplefilter("ignore")

import pandas as pd  # noqa: E402
from smartmoneyconcepts import smc  # noqa: E402


def tiled(path, size):
    base = pd.read_csv(path).set_index("Date")
    base.index = pd.to_datetime(base.index, format="%Y.%m.%d %H:%M:%S")
    parts, total, k = [], 0, 0
    while total < size:
        part = base.copy()
        part.index = part.index + pd.Timedelta(weeks=52 * k)
        parts.append(part)
        total += len(part)
        k += 1
    return pd.concat(parts).iloc[:size]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--input", required=True)
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--only", default="", help="comma-separated indicator names")
    args = ap.parse_args()
    df = tiled(args.input, args.size)
    shl = smc.swing_highs_lows(df, swing_length=5)
    calls = {
        "fvg": lambda: smc.fvg(df),
        "fvg_join": lambda: smc.fvg(df, join_consecutive=True),
        "swing_highs_lows": lambda: smc.swing_highs_lows(df, swing_length=5),
        "bos_choch": lambda: smc.bos_choch(df, shl, close_break=True),
        "ob": lambda: smc.ob(df, shl, close_mitigation=False),
        "liquidity": lambda: smc.liquidity(df, shl, range_percent=0.01),
        "previous_high_low_4h": lambda: smc.previous_high_low(df, time_frame="4h"),
        "previous_high_low_1D": lambda: smc.previous_high_low(df, time_frame="1D"),
        "previous_high_low_W": lambda: smc.previous_high_low(df, time_frame="W"),
        "sessions": lambda: smc.sessions(df, session="London"),
        "retracements": lambda: smc.retracements(df, shl),
    }
    only = set(filter(None, args.only.split(",")))
    for name, call in calls.items():
        if only and name not in only:
            continue
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            call()
            times.append(time.perf_counter() - t)
        s = statistics.median(times)
        print(json.dumps({"name": name, "candles": len(df), "seconds": s,
                          "candles_per_second": len(df) / s}))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
