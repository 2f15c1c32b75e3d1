#!/usr/bin/env bash
# Speed of our SMC detection against the reference Python library, in one
# run on one machine: for each indicator, candles per second of ours and of
# smartmoneyconcepts 0.0.27 on the same 100k-candle series, and the ratio;
# ours alone at 1M and 10M candles (time linear in n); CSV parsing of 1M
# rows; and the causal multi-timeframe suite on 1M one-minute candles.
#
# Usage: scripts/bench_smc.sh [--size N] [--skip-python]
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=100000
SKIP_PY=0
while [ $# -gt 0 ]; do
    case "$1" in
        --size) SIZE=$2; shift 2 ;;
        --skip-python) SKIP_PY=1; shift ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
FIXTURE=testdata/smc-reference/EURUSD/EURUSD_15M.csv
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

cargo build --release --quiet -p smc-parity --example throughput
cargo build --release --quiet -p smc-analysis --example causal_throughput
cargo build --release --quiet -p smc-data --example parse_throughput
BIN=${CARGO_TARGET_DIR:-target}/release/examples

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "series: $FIXTURE tiled to $SIZE candles (52-week shifted copies)"
"$BIN/throughput" "$FIXTURE" --tile "$SIZE" --repeat 15 > "$OUT/ours.jsonl"

if [ "$SKIP_PY" = 0 ]; then
    VENV=.venv-smc
    if ! SMC_CREDIT=0 "$VENV/bin/python" -c 'import smartmoneyconcepts, pandas' 2>/dev/null; then
        python3 -m venv "$VENV"
        "$VENV/bin/pip" install --quiet --disable-pip-version-check -r scripts/requirements-reference.txt
    fi
    echo "running the reference library (this takes about a minute)…"
    SMC_CREDIT=0 "$VENV/bin/python" scripts/bench_reference.py --input "$FIXTURE" --size "$SIZE" > "$OUT/ref.jsonl"
else
    : > "$OUT/ref.jsonl"
fi
"$BIN/throughput" "$FIXTURE" --tile 1000000 --repeat 3 > "$OUT/ours_1m.jsonl"
"$BIN/throughput" "$FIXTURE" --tile 10000000 --repeat 1 > "$OUT/ours_10m.jsonl"

python3 - "$OUT" <<'PY'
import json, sys, pathlib
out = pathlib.Path(sys.argv[1])
def load(name):
    rows = {}
    for line in (out / name).read_text().splitlines():
        r = json.loads(line)
        rows[r["name"]] = r
    return rows
ours, ref, big, huge = load("ours.jsonl"), load("ref.jsonl"), load("ours_1m.jsonl"), load("ours_10m.jsonl")
print()
print(f"{'indicator':<22}{'ours c/s':>14}{'reference c/s':>15}{'ratio':>10}{'ours 1M c/s':>14}{'ours 10M c/s':>15}")
for name, r in ours.items():
    if name == "csv_parse":
        continue
    p = ref.get(name)
    ratio = f"{r['candles_per_second'] / p['candles_per_second']:,.0f}x" if p else "-"
    pcs = f"{p['candles_per_second']:,.0f}" if p else "-"
    def cps(rows):
        row = rows.get(name, {})
        return f"{row['candles_per_second']:,.0f}" if "candles_per_second" in row else "n/a"
    print(f"{name:<22}{r['candles_per_second']:>14,.0f}{pcs:>15}{ratio:>10}{cps(big):>14}{cps(huge):>15}")
PY

echo
"$BIN/parse_throughput" --rows 1000000
echo
"$BIN/causal_throughput" --candles 1000000 --timeframes 1m,5m,1h,1d
