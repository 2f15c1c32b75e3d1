#!/usr/bin/env bash
# Conformance of `smc venue-sim --protocol oanda` with oandapyV20 0.7.2:
# starts the simulator on a free loopback port with the test token of
# shared/research/client_requests.md, replaying the OANDA EUR_USD daily bid
# series, runs scripts/venue_sim_conformance_oanda.py in the project's
# virtualenv (.venv-smc; oandapyV20 is installed from
# scripts/requirements-reference.txt when missing), stops the simulator, and
# prints "N passed, M failed".
#   SMC=path/to/smc  (default target/release/smc, built if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SMC=${SMC:-${CARGO_TARGET_DIR:-target}/release/smc}
VENV="$ROOT/.venv-smc"
TOKEN=test-oanda-token-0123456789abcdef

if [ ! -x "$SMC" ]; then
    cargo build --release -p smc-cli
fi
if ! "$VENV/bin/python" -c 'import oandapyV20' 2>/dev/null; then
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r scripts/requirements-reference.txt
fi

OUT=$(mktemp)
# One daily candle every 2 s: the replay moves during the run.
"$SMC" venue-sim --protocol oanda --port 0 --api-key "$TOKEN" --speed 0.5 \
    --market testdata/market/oanda/EURUSD-1d.csv --symbol EUR_USD >"$OUT" 2>&1 &
SIM=$!
trap 'kill "$SIM" 2>/dev/null || true; rm -f "$OUT"' EXIT

# The first line names the address; a later one the account:
# "account: 101-001-1000001-001 (token ...)".
BASE=""
ACCOUNT=""
for _ in $(seq 1 100); do
    BASE=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$OUT" | head -1 || true)
    ACCOUNT=$(grep -oE 'account: [0-9-]+' "$OUT" | head -1 | awk '{print $2}' || true)
    [ -n "$BASE" ] && [ -n "$ACCOUNT" ] && break
    kill -0 "$SIM" 2>/dev/null || { cat "$OUT"; echo "0 passed, 1 failed"; exit 1; }
    sleep 0.1
done
if [ -z "$BASE" ] || [ -z "$ACCOUNT" ]; then
    cat "$OUT"
    echo "0 passed, 1 failed"
    exit 1
fi

# A client that hangs must not hang the test command: 300 s at most.
rc=0
timeout 300 "$VENV/bin/python" scripts/venue_sim_conformance_oanda.py --base "$BASE" --token "$TOKEN" --account "$ACCOUNT" || rc=$?
if [ "$rc" = 124 ]; then
    echo "the conformance run did not finish in 300 s: 0 passed, 1 failed"
fi
exit "$rc"
