#!/usr/bin/env python3
"""Cross-check `smc detect --parity` against the reference Python library.

Runs each of the eight indicators of `smartmoneyconcepts` 0.0.27 on real
series that are *not* the library's fixture (testdata/market/), and on the
fixture with option values its expected files do not cover, then runs our
binary on the same rows and options and compares the two tables:

- the same header and the same number of rows;
- the same NaN mask, column by column;
- every value equal after rounding both sides to float32 (the rule of
  testdata/smc-reference/UPSTREAM-README.md).

A case the library rejects (it raises) passes only if our binary rejects it
too (non-zero exit); any other asymmetry is a failure.

Usage:
    python scripts/parity_crosscheck.py --smc target/release/smc [--quick]
        [--only SUBSTRING] [--time-sweep]

`--quick` runs a small subset; `--only` keeps the cases whose label contains
SUBSTRING; `--time-sweep` adds many more time frames, sessions and time zones
for previous_high_low and sessions (slower; for verification by hand).
Prints one line per case and ends with `N passed, M failed`; exits 1 if any
case failed.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

os.environ.setdefault("SMC_CREDIT", "0")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from smartmoneyconcepts import smc  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MARKET = ROOT / "testdata" / "market"
FIXTURE = ROOT / "testdata" / "smc-reference" / "EURUSD" / "EURUSD_15M.csv"

# key: (path, format). Every market file has real, mostly non-zero volume
# except the forex quotes (fxcm, oanda), which exercise the zero path.
SERIES = {
    "btc1m": (MARKET / "binance-usdm" / "BTCUSDT-1m.csv", "uniform"),
    "eth1h": (MARKET / "binance-spot" / "ETHUSDT-1h.csv", "uniform"),
    "gbp1m": (MARKET / "fxcm" / "GBPUSD-1m.csv", "uniform"),
    "eur1d": (MARKET / "oanda" / "EURUSD-1d.csv", "uniform"),
    "bybit1m": (MARKET / "bybit-spot" / "BTCUSDT-1m.csv", "uniform"),
    "cb1d": (MARKET / "coinbase" / "BTCUSD-1d.csv", "uniform"),
    "fixture": (FIXTURE, "metatrader"),
}

SWING_INDICATORS = ("bos_choch", "ob", "liquidity", "retracements")


class Case:
    def __init__(self, series, indicator, rows, **options):
        self.series = series
        self.indicator = indicator
        self.rows = rows
        self.options = options

    @property
    def label(self):
        opts = " ".join(f"{k}={v!r}" for k, v in self.options.items())
        return f"{self.indicator} {self.series}[:{self.rows}] {opts}".rstrip()


def build_cases(quick, time_sweep):
    cases = []
    add = lambda *a, **k: cases.append(Case(*a, **k))  # noqa: E731

    # Swing-based indicators: each series with two swing lengths, both
    # values of every boolean and two range_percent values.
    swing_plan = [
        ("btc1m", 6000, (1, 8)),
        ("eth1h", 5000, (3, 20)),
        ("gbp1m", 20000, (8, 3)),
        ("eur1d", 4000, (20, 1)),
        ("bybit1m", 1500, (3, 8)),
        ("cb1d", 1500, (1, 20)),
    ]
    if quick:
        swing_plan = [("btc1m", 3000, (3,)), ("cb1d", 1500, (8,))]
    for series, rows, lengths in swing_plan:
        for k, sl in enumerate(lengths):
            flip = bool(k % 2)
            add(series, "swing_highs_lows", rows, swing_length=sl)
            if k == 0:  # fvg has no swing length: both flags once per series
                add(series, "fvg", rows, join_consecutive=False)
                if not quick:
                    add(series, "fvg", rows, join_consecutive=True)
            add(series, "retracements", rows, swing_length=sl)
            add(series, "liquidity", rows, swing_length=sl, range_percent=0.05 if flip else 0.002)
            for b in (False, True):
                add(series, "bos_choch", rows, swing_length=sl, close_break=b)
                add(series, "ob", rows, swing_length=sl, close_mitigation=b)
    if not quick:
        # The fixture itself, with options its expected files do not cover.
        add("fixture", "bos_choch", 24424, swing_length=2, close_break=False)
        add("fixture", "ob", 24424, swing_length=20, close_mitigation=True)
        add("fixture", "liquidity", 24424, swing_length=3, range_percent=0.002)
        add("fixture", "retracements", 24424, swing_length=20)

    # previous_high_low: every accepted spelling of the brief, on intraday,
    # hourly and daily series, plus rejected spellings.
    phl_plan = [
        ("btc1m", 6000, ["15min", "1h", "4h", "1D"]),
        ("bybit1m", 1500, ["15min", "30min", "2h", "7min"]),
        ("gbp1m", 30000, ["15min", "1h", "4h", "1D", "D", "W"]),
        ("eth1h", 5000, ["4h", "1D", "W", "1W", "MS", "ME", "2W"]),
        ("eur1d", 4000, ["W", "MS", "ME", "QE", "YS", "3D", "W-MON"]),
        ("cb1d", 1500, ["W", "MS", "ME", "2ME", "YE"]),
        ("fixture", 24424, ["15min", "1h", "2h", "MS", "ME", "W-FRI"]),
        ("eth1h", 5000, ["1H", "4H", "15m", "1M", "0h", ""]),
    ]
    if quick:
        phl_plan = [
            ("btc1m", 3000, ["15min", "1h"]),
            ("eth1h", 5000, ["4h", "1D", "W", "MS", "ME"]),
            ("eth1h", 5000, ["1H"]),
        ]
    for series, rows, frames in phl_plan:
        for tf in frames:
            add(series, "previous_high_low", rows, time_frame=tf)

    # sessions: built-in and Custom sessions, UTC, the inverted Etc/GMT
    # offsets, IANA zones (Europe/London raises on the DST gap of the hourly
    # 2021 series in both), fixed offsets, and rejected options.
    S = "session"
    sess_plan = [
        ("btc1m", 6000, {S: "Sydney"}),
        ("btc1m", 6000, {S: "New York", "time_zone": "UTC+2"}),
        ("btc1m", 6000, {S: "Custom", "start_time": "08:30", "end_time": "17:15"}),
        ("bybit1m", 1500, {S: "Asian kill zone", "time_zone": "GMT-5"}),
        ("bybit1m", 1500, {S: "Custom", "start_time": "22:00", "end_time": "3:05", "time_zone": "Asia/Tokyo"}),
        ("gbp1m", 12000, {S: "London", "time_zone": "Europe/London"}),
        ("gbp1m", 12000, {S: "Tokyo", "time_zone": "UTC-3"}),
        ("gbp1m", 12000, {S: "Custom", "start_time": "9:5", "end_time": "13:45", "time_zone": "-0930"}),
        ("eth1h", 5000, {S: "London open kill zone", "time_zone": "UTC+2"}),
        ("eth1h", 5000, {S: "Tokyo", "time_zone": "America/New_York"}),
        ("bybit1m", 1500, {S: "New York kill zone", "time_zone": "America/New_York"}),
        ("eth1h", 5000, {S: "london close kill zone", "time_zone": "+05:30"}),
        ("eth1h", 5000, {S: "Custom", "start_time": "12:00", "end_time": "12:00"}),
        ("eur1d", 4000, {S: "Tokyo", "time_zone": "UTC+2"}),
        ("cb1d", 1500, {S: "Sydney", "time_zone": "utc"}),
        ("fixture", 24424, {S: "New York", "time_zone": "America/New_York"}),
        ("fixture", 24424, {S: "Sydney", "time_zone": "GMT+3"}),
        # Rejected by the library: both must refuse.
        ("eth1h", 300, {S: "Custom", "start_time": "08:00"}),
        ("eth1h", 300, {S: "london"}),
        ("eth1h", 300, {S: "London", "time_zone": "Etc/UTC"}),
        ("eth1h", 300, {S: "London", "time_zone": "UTC+13"}),
        ("eth1h", 300, {S: "Custom", "start_time": "24:00", "end_time": "03:00"}),
    ]
    if quick:
        sess_plan = [
            ("btc1m", 3000, {S: "Sydney"}),
            ("eth1h", 5000, {S: "London open kill zone", "time_zone": "UTC+2"}),
            ("gbp1m", 6000, {S: "Custom", "start_time": "08:30", "end_time": "17:15", "time_zone": "GMT-5"}),
            ("eth1h", 5000, {S: "London", "time_zone": "Europe/London"}),
        ]
    for series, rows, opts in sess_plan:
        add(series, "sessions", rows, **opts)

    if time_sweep:
        cases.extend(time_sweep_cases())
    return cases


def time_sweep_cases():
    """A wide sweep of time frames, sessions and zones (not run in CI)."""
    frames = [
        "15min", "1h", "4h", "1D", "D", "d", "W", "1W", "w", "MS", "ME", "2h", "30min", "3D",
        "7h", "45min", "1h30min", "1.5h", "2D", "5D", "W-MON", "W-WED", "W-SAT", "w-fri",
        "2W", "3W-THU", "2MS", "3ME", "QE", "QS", "QE-JAN", "QS-FEB", "YE", "YS", "YE-JUN",
        "2QE", "2QS-MAR", "2YS", "2YE-JUN", "W-TUE", "10D", "100D", "1000min", "2.5h", "4W",
        "5MS", "s", "90s", "1Min", " 1 D ", "+4h", "1D1h",
        "1H", "4H", "15m", "1M", "M", "T", "Q", "0D",
    ]
    sessions = [
        {"session": s}
        for s in ("Sydney", "Tokyo", "London", "New York", "Asian kill zone",
                  "London open kill zone", "New York kill zone", "london close kill zone")
    ] + [
        {"session": "Custom", "start_time": a, "end_time": b}
        for a, b in (("0:00", "23:59"), ("23:59", "0:00"), ("9:5", "09:06"), ("16:00", "16:00"),
                     ("07:00", "24:00"), ("7:00", ""), ("7", "8:00"))
    ]
    zones = ["UTC", "UTC+2", "UTC-2", "GMT-5", "GMT+12", "UTC-14", "UTC+0", "GMT", "utc",
             "Asia/Tokyo", "Asia/Kolkata", "Australia/Sydney", "America/New_York",
             "Europe/London", "+02:00", "-0930", "UTC+14", "Etc/GMT+2", "Mars/Olympus"]
    out = []
    for series, rows in (("eth1h", 5000), ("gbp1m", 30000), ("eur1d", 4000), ("cb1d", 1500),
                         ("btc1m", 6000), ("fixture", 24424)):
        for tf in frames:
            out.append(Case(series, "previous_high_low", rows, time_frame=tf))
    for series, rows in (("eth1h", 3000), ("gbp1m", 4000), ("fixture", 6000), ("eur1d", 4000)):
        for zone in zones:
            out.append(Case(series, "sessions", rows, session="London", time_zone=zone))
        for sess in sessions:
            out.append(Case(series, "sessions", rows, time_zone="UTC+2", **sess))
    return out


# ----------------------------------------------------------------------
# Loading, running both sides, comparing


def load(series, rows, tmpdir, cache={}):
    """The first `rows` rows as the library's DataFrame, and a file with
    exactly those rows for our binary."""
    key = (series, rows)
    if key in cache:
        return cache[key]
    path, fmt = SERIES[series]
    with open(path, newline="") as f:
        lines = f.read().splitlines()
    body = lines[: rows + 1]
    sliced = Path(tmpdir) / f"{series}-{rows}.csv"
    sliced.write_text("\n".join(body) + "\n")
    df = pd.read_csv(sliced)
    if fmt == "uniform":
        df.index = pd.to_datetime(df.pop("timestamp"), unit="ms")
    else:  # as tests/unit_tests.py upstream loads the fixture
        df = df.set_index("Date")
        df.index = pd.to_datetime(df.index)
    cache[key] = (df, sliced)
    return cache[key]


def run_library(case, df):
    o = case.options
    df = df.copy()
    name = case.indicator
    if name == "fvg":
        return smc.fvg(df, join_consecutive=o.get("join_consecutive", False))
    if name == "previous_high_low":
        return smc.previous_high_low(df, time_frame=o["time_frame"])
    if name == "sessions":
        return smc.sessions(
            df, o["session"], start_time=o.get("start_time", ""),
            end_time=o.get("end_time", ""), time_zone=o.get("time_zone", "UTC"),
        )
    shl = smc.swing_highs_lows(df, swing_length=o["swing_length"])
    if name == "swing_highs_lows":
        return shl
    if name == "bos_choch":
        return smc.bos_choch(df, shl, close_break=o["close_break"])
    if name == "ob":
        return smc.ob(df, shl, close_mitigation=o["close_mitigation"])
    if name == "liquidity":
        return smc.liquidity(df, shl, range_percent=o["range_percent"])
    if name == "retracements":
        return smc.retracements(df, shl)
    raise ValueError(name)


def command(smc_bin, case, path):
    o = case.options
    cmd = [smc_bin, "detect", "--input", str(path), "--indicator", case.indicator, "--parity"]
    if "swing_length" in o:
        cmd += ["--swing-length", str(o["swing_length"])]
    if o.get("join_consecutive"):
        cmd += ["--join-consecutive"]
    if "close_break" in o:
        cmd += ["--close-break", "true" if o["close_break"] else "false"]
    if o.get("close_mitigation"):
        cmd += ["--close-mitigation"]
    if "range_percent" in o:
        cmd += ["--range-percent", repr(o["range_percent"])]
    if "time_frame" in o:
        cmd += [f"--time-frame={o['time_frame']}"]
    if "session" in o:
        cmd += ["--session", o["session"]]
    if "start_time" in o:
        cmd += [f"--start={o['start_time']}"]
    if "end_time" in o:
        cmd += [f"--end={o['end_time']}"]
    if "time_zone" in o:
        cmd += [f"--time-zone={o['time_zone']}"]
    return cmd + ["--format", "csv"]


def compare(expected, ours_csv):
    """A list of differences (empty when the tables agree)."""
    try:
        ours = pd.read_csv(StringIO(ours_csv))
    except Exception as e:  # noqa: BLE001 - reported as a failure
        return [f"our output does not parse as CSV: {e}"]
    exp_cols, our_cols = list(expected.columns), list(ours.columns)
    if exp_cols != our_cols:
        return [f"header: expected {exp_cols}, got {our_cols}"]
    if len(expected) != len(ours):
        return [f"rows: expected {len(expected)}, got {len(ours)}"]
    diffs = []
    for col in exp_cols:
        a = np.asarray(expected[col], dtype=np.float64)
        b = np.asarray(ours[col], dtype=np.float64)
        na, nb = np.isnan(a), np.isnan(b)
        with np.errstate(invalid="ignore", over="ignore"):
            bad = (na != nb) | (~na & ~nb & (a.astype(np.float32) != b.astype(np.float32)))
        for r in np.flatnonzero(bad)[:3]:
            diffs.append(f"row {r} {col}: expected {float(a[r])!r}, got {float(b[r])!r}")
        if bad.sum() > 3:
            diffs.append(f"... {int(bad.sum())} cells differ in {col}")
    return diffs


def run_case(smc_bin, case, tmpdir):
    """('PASS' | 'FAIL', detail)."""
    df, path = load(case.series, case.rows, tmpdir)
    try:
        expected = run_library(case, df)
        lib_error = None
    except Exception as e:  # noqa: BLE001 - the library raises many types
        expected, lib_error = None, f"{type(e).__name__}: {str(e)[:80]}"
    proc = subprocess.run(command(smc_bin, case, path), capture_output=True, text=True, timeout=120)
    our_error = proc.stderr.strip().splitlines()[-1][:100] if proc.returncode != 0 and proc.stderr.strip() else None
    if proc.returncode != 0 and our_error is None:
        our_error = f"exit {proc.returncode}"
    if lib_error and proc.returncode != 0:
        return "PASS", f"both reject (library: {lib_error}; smc: {our_error})"
    if lib_error:
        return "FAIL", f"library rejects ({lib_error}) but smc accepts"
    if proc.returncode != 0:
        return "FAIL", f"smc rejects ({our_error}) but the library accepts"
    diffs = compare(expected, proc.stdout)
    return ("FAIL", "; ".join(diffs)) if diffs else ("PASS", f"{len(expected)} rows")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smc", required=True, help="path to the smc binary")
    parser.add_argument("--quick", action="store_true", help="a small subset of the cases")
    parser.add_argument("--only", default="", help="keep cases whose label contains this")
    parser.add_argument("--time-sweep", action="store_true",
                        help="add a wide sweep of time frames, sessions and zones")
    args = parser.parse_args()
    smc_bin = str(Path(args.smc).resolve())
    if not os.access(smc_bin, os.X_OK):
        print(f"not an executable: {smc_bin}", file=sys.stderr)
        return 2
    cases = [c for c in build_cases(args.quick, args.time_sweep) if args.only in c.label]
    passed = failed = 0
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmpdir:
        for case in cases:
            t0 = time.monotonic()
            try:
                status, detail = run_case(smc_bin, case, tmpdir)
            except Exception as e:  # noqa: BLE001 - never stop the run
                status, detail = "FAIL", f"harness error: {type(e).__name__}: {e}"
            passed += status == "PASS"
            failed += status == "FAIL"
            print(f"{status} {case.label} ({time.monotonic() - t0:.1f}s): {detail}", flush=True)
    print(f"# {len(cases)} cases in {time.monotonic() - started:.0f}s", flush=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
