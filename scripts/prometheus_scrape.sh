#!/usr/bin/env bash
# A real Prometheus (Debian's `prometheus` package, which .ci/run installs)
# scraping `smc serve`: starts the server on a free loopback port with a
# temporary config and database, signs in and calls a few routes, starts
# Prometheus with a job `smc` scraping the server's /metrics every second,
# then asks Prometheus's query API until it has samples of
# smc_api_requests_total, process_resident_memory_bytes and
# up{job="smc"} == 1 (each a check, 60 s at most), stops both, and prints
# "N passed, M failed".
#   SMC=path/to/smc  (default target/release/smc, built if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SMC=${SMC:-${CARGO_TARGET_DIR:-target}/release/smc}
PASSWORD='prometheus admin passphrase'

command -v prometheus >/dev/null || { echo "prometheus is not installed (apt-get install prometheus)" >&2; exit 1; }
if [ ! -x "$SMC" ]; then
    cargo build --release -p smc-cli
fi

TMP=$(mktemp -d)
SERVER=""
PROM=""
cleanup() {
    for pid in $PROM $SERVER; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM # so that cleanup runs when interrupted too
fail() {
    echo "prometheus_scrape: $*" >&2
    for log in server prometheus; do
        [ -f "$TMP/$log.log" ] && { echo "--- $log.log" >&2; tail -15 "$TMP/$log.log" >&2; }
    done
    echo "0 passed, 1 failed"
    exit 1
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_for() { # URL SECONDS PID
    local url=$1 tries=$(($2 * 10)) pid=$3
    for _ in $(seq 1 "$tries"); do
        curl -sf "$url" >/dev/null 2>&1 && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

API_PORT=$(free_port)
BASE="http://127.0.0.1:$API_PORT"
cat >"$TMP/config.yaml" <<EOF
api:
  data_dir: $ROOT/testdata/market
  sessions_dir: $TMP/sessions
EOF
SMC_ADMIN_PASSWORD="$PASSWORD" "$SMC" serve --config "$TMP/config.yaml" --listen "127.0.0.1:$API_PORT" \
    --db "sqlite://$TMP/server.db" >"$TMP/server.log" 2>&1 &
SERVER=$!
wait_for "$BASE/healthz" 30 "$SERVER" || fail "smc serve did not answer /healthz"

# A few requests, so the request counters have series.
TOKEN=$(curl -sf -X POST "$BASE/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$PASSWORD\"}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])') ||
    fail "the admin could not sign in"
for path in /api/v1/status /api/v1/sessions /api/v1/risk; do
    curl -sf "$BASE$path" -H "Authorization: Bearer $TOKEN" >/dev/null || fail "GET $path failed"
done
curl -s -o /dev/null "$BASE/api/v1/status" # a 401, another status label

PROM_PORT=$(free_port)
PROM_URL="http://127.0.0.1:$PROM_PORT"
cat >"$TMP/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: smc
    metrics_path: /metrics
    static_configs:
      - targets: ["127.0.0.1:$API_PORT"]
EOF
# Debian's build needs no console flags for the HTTP API.
prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/tsdb" \
    --web.listen-address="127.0.0.1:$PROM_PORT" >"$TMP/prometheus.log" 2>&1 &
PROM=$!
wait_for "$PROM_URL/-/ready" 60 "$PROM" || fail "prometheus did not become ready"

passed=0
failed=0
# Whether QUERY returns at least one sample, within 60 s.
check() {
    local query=$1 found=""
    for _ in $(seq 1 120); do
        found=$(curl -sf -G "$PROM_URL/api/v1/query" --data-urlencode "query=$query" |
            python3 -c 'import json, sys
d = json.load(sys.stdin)
r = d["data"]["result"] if d.get("status") == "success" else []
print(len(r) if r else "")' 2>/dev/null || true)
        [ -n "$found" ] && break
        kill -0 "$PROM" 2>/dev/null || break
        sleep 0.5
    done
    if [ -n "$found" ]; then
        echo "ok: $query ($found series)"
        passed=$((passed + 1))
    else
        echo "FAILED: no samples for $query" >&2
        failed=$((failed + 1))
    fi
}
check 'up{job="smc"} == 1'
check 'smc_api_requests_total{job="smc"}'
check 'process_resident_memory_bytes{job="smc"}'
# The login and status calls are among the counted requests.
check 'smc_api_requests_total{job="smc",route="/api/v1/status"}'

if [ "$failed" != 0 ]; then
    for log in server prometheus; do echo "--- $log.log" >&2; tail -15 "$TMP/$log.log" >&2; done
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
