#!/usr/bin/env bash
# Candle-to-order latency of a paper and a live session against `smc
# venue-sim` on loopback, for each journal durability policy
# (storage.journal_sync: none, data, full), on 4 symbols with the
# sma_cross strategy (an order on every crossing, so that the percentiles
# rest on hundreds of orders).
#
# Two measurements per run, both HDR histograms:
# - in the session (its own line): from the closed candle reaching the
#   session loop to its first order released after the journal (paper:
#   accepted by the simulated venue in the same step; live: handed to the
#   HTTP client);
# - on the wire (live only, crates/venue-sim/examples/wire_latency.rs, a
#   TCP relay between the session and the simulator): from the closed
#   kline's frame written to the session's socket to the order request
#   read from it — the session's whole reaction, the simulator's time
#   outside it.
#
# Then the floor of the machine (crates/runtime/examples/wakeup_floor.rs,
# the same primitives and histogram): a tokio worker waking the session
# thread, a step-sized write() with and without fdatasync in the same
# folder, a loopback TCP hop, and 30 µs of fixed work on the wall clock.
#
# Live orders are fewer than paper's: at 400 candles a second the
# simulator's Binance order rate limit (orders per 10 s) runs out and the
# client refuses orders locally (journaled, counted in the session's
# figure, never on the wire), and a protective stop that "would trigger
# immediately" trips the unprotected_position breaker, which stops new
# risk for the rest of the run.
#
# Usage: scripts/bench_latency.sh [--bars N] [--speed N] [--policies LIST] [--no-build] [--no-floor]
set -euo pipefail
cd "$(dirname "$0")/.."
BARS=12000
SPEED=400
POLICIES="none data full"
BUILD=1
FLOOR=1
while [ $# -gt 0 ]; do
    case "$1" in
        --bars) BARS=$2; shift 2 ;;
        --speed) SPEED=$2; shift 2 ;;
        --policies) POLICIES=$(echo "$2" | tr ',' ' '); shift 2 ;;
        --no-build) BUILD=0; shift ;;
        --no-floor) FLOOR=0; shift ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
if [ "$BUILD" = 1 ]; then
    cargo build --release --quiet -p smc-cli
    cargo build --release --quiet -p smc-venue-sim --example wire_latency
    [ "$FLOOR" = 1 ] && cargo build --release --quiet -p smc-runtime --example wakeup_floor
fi
T=${CARGO_TARGET_DIR:-target}/release
OUT=$(mktemp -d)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    rm -rf "$OUT"
}
trap cleanup EXIT
[ -n "${KEEP_OUT:-}" ] && trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; echo "kept $OUT"' EXIT
KEY=BenchKey1
SECRET=bench-secret

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Starts the simulator on a free port (SIM_PORT, SIM_PID).
start_sim() {
    local port
    port=$(free_port)
    "$T/smc" venue-sim --port "$port" --speed "$SPEED" --api-key "$KEY" --api-secret "$SECRET" \
        --market testdata/market/binance-usdm/BTCUSDT-1m.csv --symbol BTCUSDT \
        --market testdata/market/bybit-spot/BTCUSDT-1m.csv --symbol ETHUSDT \
        --market testdata/market/fxcm/GBPUSD-1m.csv --symbol GBPUSDT \
        --market testdata/market/binance-usdm/BTCUSDT-1m.csv --symbol XRPUSDT \
        > "$OUT/sim-$port.out" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 50); do
        grep -q "http://" "$OUT/sim-$port.out" 2>/dev/null && break
        sleep 0.1
    done
    SIM_PORT=$port
    SIM_PID=${PIDS[-1]}
}

config() {
    cat > "$OUT/$1.yaml" <<YAML
exchanges:
  binance:
    enabled: true
    symbols: ["BTCUSDT", "ETHUSDT", "GBPUSDT", "XRPUSDT"]
backtest:
  strategy: sma_cross
  timeframes: ["1m"]
risk_manager:
  max_position_size: 1000000.0
  max_daily_loss: 1000000.0
  circuit_breakers:
    consecutive_losses:
      max_losses: 100000
      cooldown_minutes: 1
storage:
  journal_sync: $1
YAML
    echo "$OUT/$1.yaml"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(df -T "$OUT" | awk 'NR==2 {print $2}') on $(df "$OUT" | awk 'NR==2 {print $1}')"
echo "4 symbols x 1m, sma_cross, $BARS candles at $SPEED per symbol per second"
echo
printf "%-6s %-6s %-9s %8s %8s %8s %8s %8s\n" mode sync measured orders p50_us p99_us p99.9_us max_us
for policy in $POLICIES; do
    cfg=$(config "$policy")
    # Paper: the session's own figure.
    start_sim
    "$T/smc" run --mode paper --venue-url "127.0.0.1:$SIM_PORT" --config "$cfg" \
        --db "$OUT/paper-$policy.db" --max-bars "$BARS" > /dev/null 2> "$OUT/paper-$policy.err" || true
    kill "$SIM_PID" 2>/dev/null || true
    sed -n 's/.*paper: candle in to order out[^:]*: p50 \([0-9]*\) µs, p99 \([0-9]*\) µs, p99.9 \([0-9]*\) µs, max \([0-9]*\) µs over \([0-9]*\) orders.*/\5 \1 \2 \3 \4/p' \
        "$OUT/paper-$policy.err" | while read -r n p50 p99 p999 max; do
        printf "%-6s %-6s %-9s %8s %8s %8s %8s %8s\n" paper "$policy" session "$n" "$p50" "$p99" "$p999" "$max"
    done
    # Live: the session's figure and the wire's, through the relay.
    start_sim
    relay=$(free_port)
    "$T/examples/wire_latency" --listen "127.0.0.1:$relay" --upstream "127.0.0.1:$SIM_PORT" --json \
        > "$OUT/wire-$policy.json" &
    RELAY=$!
    sleep 0.3
    BINANCE_API_KEY=$KEY BINANCE_API_SECRET=$SECRET "$T/smc" run --mode live --confirm-live \
        --allow-local-venue --venue-url "127.0.0.1:$relay" --config "$cfg" \
        --db "$OUT/live-$policy.db" --max-bars "$BARS" > /dev/null 2> "$OUT/live-$policy.err" || true
    kill -INT "$RELAY" 2>/dev/null || true
    wait "$RELAY" 2>/dev/null || true
    kill "$SIM_PID" 2>/dev/null || true
    sed -n 's/.*live: candle in to order out[^:]*: p50 \([0-9]*\) µs, p99 \([0-9]*\) µs, p99.9 \([0-9]*\) µs, max \([0-9]*\) µs over \([0-9]*\) orders.*/\5 \1 \2 \3 \4/p' \
        "$OUT/live-$policy.err" | while read -r n p50 p99 p999 max; do
        printf "%-6s %-6s %-9s %8s %8s %8s %8s %8s\n" live "$policy" session "$n" "$p50" "$p99" "$p999" "$max"
    done
    python3 - "$OUT/wire-$policy.json" "$policy" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"{'live':<6} {sys.argv[2]:<6} {'wire':<9} {r['pairs']:>8} {r['p50_us']:>8} {r['p99_us']:>8} {r['p999_us']:>8} {r['max_us']:>8}")
PY
    grep -i "error\|refused" "$OUT/live-$policy.err" | head -3 || true
done
if [ "$FLOOR" = 1 ]; then
    echo
    echo "floor of this machine (alone; 6000 events 500 µs apart, a 600-byte record in $OUT):"
    "$T/examples/wakeup_floor" --n 6000 --dir "$OUT"
fi
