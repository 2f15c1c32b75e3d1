#!/usr/bin/env bash
# A paper session on 4 symbols × 4 timeframes against `smc venue-sim` on
# loopback: the smc strategy with a 1m entry, 5m and 1h confirming and a 1d
# bias, so every symbol runs the causal SMC analysis on four timeframes.
# Prints the session's own latency line (candle in to order out, journaled
# first) and its peak resident memory (/usr/bin/time).
#
# The simulator replays the repository's three one-minute series, the
# first twice under two names (memory does not depend on the prices).
#
# A 1d bias needs more days than these series hold before it shows a
# trend, so that run trades nothing; `--timeframes 1m,5m,15m` trades.
#
# Usage: scripts/bench_paper.sh [--speed N] [--bars N] [--port N] [--timeframes LIST]
set -euo pipefail
cd "$(dirname "$0")/.."
SPEED=150
BARS=16000
PORT=18391
TIMEFRAMES=1m,5m,1h,1d
while [ $# -gt 0 ]; do
    case "$1" in
        --speed) SPEED=$2; shift 2 ;;
        --bars) BARS=$2; shift 2 ;;
        --port) PORT=$2; shift 2 ;;
        --timeframes) TIMEFRAMES=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
cargo build --release --quiet -p smc-cli
BIN=${CARGO_TARGET_DIR:-target}/release/smc
OUT=$(mktemp -d)
SIM=""
cleanup() {
    if [ -n "$SIM" ]; then kill "$SIM" 2>/dev/null || true; fi
    rm -rf "$OUT"
}
trap cleanup EXIT

cat > "$OUT/paper.yaml" <<YAML
exchanges:
  binance:
    enabled: true
    symbols: ["BTCUSDT", "ETHUSDT", "GBPUSDT", "XRPUSDT"]
backtest:
  strategy: smc
  timeframes: [$(echo "$TIMEFRAMES" | sed 's/\([^,]*\)/"\1"/g')]
YAML

"$BIN" venue-sim --port "$PORT" --speed "$SPEED" \
    --market testdata/market/binance-usdm/BTCUSDT-1m.csv --symbol BTCUSDT \
    --market testdata/market/bybit-spot/BTCUSDT-1m.csv --symbol ETHUSDT \
    --market testdata/market/fxcm/GBPUSD-1m.csv --symbol GBPUSDT \
    --market testdata/market/binance-usdm/BTCUSDT-1m.csv --symbol XRPUSDT \
    > "$OUT/sim.out" 2>&1 &
SIM=$!
sleep 1

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "paper: 4 symbols x timeframes $TIMEFRAMES (entry, confirming..., bias), $BARS candles at $SPEED per symbol per second"
/usr/bin/time -v "$BIN" run --mode paper --venue-url "127.0.0.1:$PORT" \
    --config "$OUT/paper.yaml" --db "$OUT/paper.db" --max-bars "$BARS" \
    > "$OUT/events.jsonl" 2> "$OUT/paper.err"
grep -o 'paper: .*' "$OUT/paper.err"
echo "orders: $(grep -c '"type":"order_submitted"' "$OUT/events.jsonl" || true)"
grep 'Maximum resident set size' "$OUT/paper.err" | awk '{printf "peak RSS: %.1f MB\n", $6 / 1024}'
