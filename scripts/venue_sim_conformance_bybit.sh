#!/usr/bin/env bash
# Conformance of `smc venue-sim --protocol bybit` with pybit 5.17.0 (Bybit's
# own SDK): starts the simulator on a free loopback port with the test key of
# shared/research/exchange_vectors.md section 3, replaying the USD-M BTCUSDT
# 1m series as spot and linear, runs scripts/venue_sim_conformance_bybit.py in
# the project's virtualenv (.venv-smc; pybit is installed from
# scripts/requirements-reference.txt when missing), stops the simulator, and
# prints "N passed, M failed".
#   SMC=path/to/smc  (default target/release/smc, built if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SMC=${SMC:-${CARGO_TARGET_DIR:-target}/release/smc}
VENV="$ROOT/.venv-smc"
KEY=TESTBYBITKEY000001
SECRET=TESTBYBITSECRET0000000000000000000001

if [ ! -x "$SMC" ]; then
    cargo build --release -p smc-cli
fi
if ! "$VENV/bin/python" -c 'import pybit' 2>/dev/null; then
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r scripts/requirements-reference.txt
fi

OUT=$(mktemp)
"$SMC" venue-sim --protocol bybit --port 0 --api-key "$KEY" --api-secret "$SECRET" --speed 2 \
    --market testdata/market/binance-usdm/BTCUSDT-1m.csv --symbol BTCUSDT >"$OUT" 2>&1 &
SIM=$!
trap 'kill "$SIM" 2>/dev/null || true; rm -f "$OUT"' EXIT

# The first line names the address: "venue-sim listening on http://127.0.0.1:PORT ...".
BASE=""
for _ in $(seq 1 100); do
    BASE=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$OUT" | head -1 || true)
    [ -n "$BASE" ] && break
    kill -0 "$SIM" 2>/dev/null || { cat "$OUT"; echo "0 passed, 1 failed"; exit 1; }
    sleep 0.1
done
if [ -z "$BASE" ]; then
    cat "$OUT"
    echo "0 passed, 1 failed"
    exit 1
fi

# A client that hangs must not hang the test command: 300 s at most.
rc=0
timeout 300 "$VENV/bin/python" scripts/venue_sim_conformance_bybit.py --base "$BASE" --key "$KEY" --secret "$SECRET" --symbol BTCUSDT || rc=$?
if [ "$rc" = 124 ]; then
    echo "the conformance run did not finish in 300 s: 0 passed, 1 failed"
fi
exit "$rc"
