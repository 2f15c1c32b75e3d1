#!/usr/bin/env bash
# Backtests per second of one walk-forward optimisation run locally (`smc
# optimize`, one thread per core) and with 1, 2 and 3 `smc worker`
# processes through a throwaway nats-server -js on a free loopback port
# (`smc optimize --distributed`), each run's JSON report checked equal to
# the local one. Prints one line per run: mode, workers, backtests, seconds,
# backtests/s, ratio to the local run, and the bytes of jobs and results.
#   SMC=path/to/smc        (default target/release/smc, built if missing)
#   NATS_SERVER=path       (default nats-server on PATH, else /usr/sbin/nats-server)
#   BENCH_STRATEGY=smc|sma_cross, BENCH_PARAMS="NAME=SPEC ..." and BENCH_FOLDS=K
#                          the search (default: smc, 4 x 3 x 2 = 24 sets, 4 folds: 124 backtests)
#   BENCH_INPUT=file.csv   (default the bundled ETHUSDT 1h series, 4,366 bars)
#   BENCH_REPEAT=N         runs of each mode, the best kept (default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
SMC=${SMC:-${CARGO_TARGET_DIR:-target}/release/smc}
NATS_SERVER=${NATS_SERVER:-$(command -v nats-server || echo /usr/sbin/nats-server)}
STRATEGY=${BENCH_STRATEGY:-smc}
PARAMS=${BENCH_PARAMS:-"reward_risk=1.5,2,2.5,3 swing_length=5,10,20 allow_short=true,false"}
FOLDS=${BENCH_FOLDS:-4}
INPUT=${BENCH_INPUT:-testdata/market/binance-spot/ETHUSDT-1h.csv}
REPEAT=${BENCH_REPEAT:-3}

[ -x "$SMC" ] || cargo build --release -p smc-cli
[ -x "$NATS_SERVER" ] || { echo "nats-server not found (apt-get install nats-server)" >&2; exit 1; }

WORK=$(mktemp -d)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$NATS_SERVER" -a 127.0.0.1 -p "$PORT" -js -sd "$WORK/store" -l "$WORK/nats.log" &
NATS_PID=$!
PIDS+=("$NATS_PID")
URL="nats://127.0.0.1:$PORT"
for _ in $(seq 100); do
    grep -q "Server is ready" "$WORK/nats.log" 2>/dev/null && break
    sleep 0.05
done

SEARCH=(optimize --input "$INPUT" --strategy "$STRATEGY" --folds "$FOLDS")
for p in $PARAMS; do SEARCH+=(--param "$p"); done

# Seconds of the fastest of $REPEAT runs of "$@" (its stderr kept in $WORK/last.err).
best_of() {
    local best=""
    for _ in $(seq "$REPEAT"); do
        local t0 t1 s
        t0=$(date +%s.%N)
        "$@" >/dev/null 2>"$WORK/last.err" || { cat "$WORK/last.err" >&2; exit 1; }
        t1=$(date +%s.%N)
        s=$(echo "$t1 - $t0" | bc -l)
        if [ -z "$best" ] || (( $(echo "$s < $best" | bc -l) )); then best=$s; fi
    done
    echo "$best"
}

LOCAL_S=$(best_of "$SMC" "${SEARCH[@]}" --json "$WORK/local.json")
RUNS=$(python3 -c 'import json,sys; v=json.load(open(sys.argv[1])); t=len(v["trials"]); w=len(v["windows"]); print(t*w+w+t)' "$WORK/local.json")
printf '%-12s %7s %9s %8s %12s %8s %12s %14s\n' mode workers backtests seconds backtests/s ratio job_bytes result_bytes
rate() { echo "$RUNS / $1" | bc -l; }
printf '%-12s %7s %9d %8.2f %12.1f %8.2f %12s %14s\n' local - "$RUNS" "$LOCAL_S" "$(rate "$LOCAL_S")" 1 - -

for n in 1 2 3; do
    WORKERS=()
    for i in $(seq "$n"); do
        "$SMC" worker --nats "$URL" --name "bench-$i" --cache-dir "$WORK/cache-$i" 2>"$WORK/worker-$i.log" &
        WORKERS+=($!)
        PIDS+=($!)
    done
    sleep 0.5
    S=$(best_of "$SMC" "${SEARCH[@]}" --distributed --nats "$URL" --in-flight $((4 * n)) --json "$WORK/dist.json")
    cmp -s "$WORK/local.json" "$WORK/dist.json" || { echo "the $n-worker report differs from the local one" >&2; exit 1; }
    JOB_BYTES=$(grep -o '[0-9]* job bytes' "$WORK/last.err" | cut -d' ' -f1)
    RESULT_BYTES=$(grep -o '[0-9]* result bytes' "$WORK/last.err" | cut -d' ' -f1)
    printf '%-12s %7d %9d %8.2f %12.1f %8.2f %12s %14s\n' distributed "$n" "$RUNS" "$S" "$(rate "$S")" \
        "$(echo "$LOCAL_S / $S" | bc -l)" "$JOB_BYTES" "$RESULT_BYTES"
    for pid in "${WORKERS[@]}"; do kill "$pid"; wait "$pid" 2>/dev/null || true; done
done
