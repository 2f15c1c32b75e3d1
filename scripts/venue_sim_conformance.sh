#!/usr/bin/env bash
# Conformance of `smc venue-sim` with python-binance 1.0.37: starts the
# simulator on a free loopback port (the Binance docs' example spot key pair),
# replaying the USD-M BTCUSDT 1m series, runs scripts/venue_sim_conformance.py
# in the project's virtualenv (.venv-smc; python-binance is installed from
# scripts/requirements-reference.txt when missing), stops the simulator, and
# prints "N passed, M failed".
#   SMC=path/to/smc  (default target/release/smc, built if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SMC=${SMC:-${CARGO_TARGET_DIR:-target}/release/smc}
VENV="$ROOT/.venv-smc"
KEY=vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A
SECRET=NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j

if [ ! -x "$SMC" ]; then
    cargo build --release -p smc-cli
fi
if ! "$VENV/bin/python" -c 'import binance' 2>/dev/null; then
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r scripts/requirements-reference.txt
fi

OUT=$(mktemp)
"$SMC" venue-sim --port 0 --api-key "$KEY" --api-secret "$SECRET" --speed 2 \
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

"$VENV/bin/python" scripts/venue_sim_conformance.py --base "$BASE" --key "$KEY" --secret "$SECRET" --symbol BTCUSDT
