"""Writes the peer-benchmark series in the uniform CSV format.

The series is defined in shared/research/peer_bench (gen_data.py, seed 42):
a geometric random walk of 1-minute bars from 2020-01-01 00:00 UTC, drawn
with numpy's PCG64 generator (stable across numpy versions), prices rounded
to 4 decimals, open = previous close. This script re-creates it from that
published construction and checks the published checksum, so that our
backtests run on exactly the bars that backtesting.py, vectorbt and
NautilusTrader were measured on.

Usage: python scripts/gen_peer_series.py --bars 100000 --out FILE.csv
"""

import argparse
import hashlib

import numpy as np

CHECKSUMS = {100_000: "a7cca75f055e8215", 1_000_000: "a9cc556c44ef5dc9"}


def series(bars, seed=42):
    rng = np.random.default_rng(seed)
    close = np.round(100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.0005, bars))), 4)
    open_ = np.concatenate([[100.0], close[:-1]])
    up = np.abs(rng.normal(0.0, 0.0002, bars))
    down = np.abs(rng.normal(0.0, 0.0002, bars))
    high = np.round(np.maximum(open_, close) * np.exp(up), 4)
    low = np.round(np.minimum(open_, close) * np.exp(-down), 4)
    volume = rng.integers(1_000_000, 10_000_000, bars).astype(np.float64)
    t0 = np.datetime64("2020-01-01T00:00:00", "ns").astype(np.int64)
    ts_ns = t0 + np.arange(bars, dtype=np.int64) * 60_000_000_000
    return dict(ts_ns=ts_ns, open=open_, high=high, low=low, close=close, volume=volume)


def checksum(a):
    h = hashlib.sha256()
    for k in ("ts_ns", "open", "high", "low", "close", "volume"):
        h.update(np.ascontiguousarray(a[k]).tobytes())
    return h.hexdigest()[:16]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bars", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    a = series(args.bars, args.seed)
    expected = CHECKSUMS.get(args.bars) if args.seed == 42 else None
    got = checksum(a)
    if expected and got != expected:
        raise SystemExit(f"checksum {got} differs from the published {expected}")
    with open(args.out, "w") as f:
        f.write("timestamp,open,high,low,close,volume\n")
        for i in range(args.bars):
            row = [a["open"][i], a["high"][i], a["low"][i], a["close"][i]]
            prices = ",".join(f"{x:.4f}".rstrip("0").rstrip(".") for x in row)
            f.write(f"{a['ts_ns'][i] // 1_000_000},{prices},{int(a['volume'][i])}\n")
    print(f"wrote {args.out}: {args.bars} bars, checksum {got}")


if __name__ == "__main__":
    main()
