#!/usr/bin/env bash
# The project's test command (README, and CI through .ci/run).
# Runs formatting and lint checks, every Rust test in release mode, the
# parity cross-check against the real Python library, the venue simulator's
# conformance with the real python-binance client, smc serve against its
# OpenAPI document (schemathesis) and scraped by a real Prometheus, and the
# browser check of the HTML chart; the web dashboard's build, unit tests
# (vitest) and end-to-end suite (Playwright in Chromium). Sets up what it needs (a Python
# virtualenv) itself; Chromium and Prometheus are used when present
# (.ci/run installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-target}
LOG=$(mktemp -d)
trap 'rm -rf "$LOG"' EXIT

step() { printf '\n==> %s\n' "$*"; }

# The dashboard first: smc serve embeds dashboard/dist at compile time, so
# the release binary the later steps use carries the fresh build.
step "dashboard: npm ci, type check and build (dashboard/dist), bundle budget, vitest"
(
    cd dashboard
    npm ci --no-audit --no-fund --loglevel=error
    npm run build
    npm run --silent size
    npx vitest run --reporter=default --reporter=json --outputFile="$LOG/vitest.json"
) 2>&1 | tee "$LOG/dashboard.txt"
node -e '
const r = require(process.argv[1]);
console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed`);
' "$LOG/vitest.json" | tee "$LOG/vitest.txt"

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets --release -- -D warnings

step "cargo test (release)"
cargo test --workspace --release 2>&1 | tee "$LOG/cargo-test.txt"

step "Python virtualenv with the reference tools (smartmoneyconcepts 0.0.27, backtesting.py 0.6.6)"
VENV="$ROOT/.venv-smc"
if ! SMC_CREDIT=0 "$VENV/bin/python" -c 'import smartmoneyconcepts, pandas, backtesting, binance, pybit, oandapyV20, schemathesis' 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r scripts/requirements-reference.txt
fi

step "deployment files: docker-compose config, kubernetes-validate --strict, promtool (scripts/validate_deploy.sh)"
bash scripts/validate_deploy.sh 2>&1 | tee "$LOG/deploy.txt"

step "parity cross-check against the reference library on real series"
SMC_CREDIT=0 "$VENV/bin/python" scripts/parity_crosscheck.py --smc "$TARGET_DIR/release/smc" 2>&1 | tee "$LOG/crosscheck.txt"

step "backtest cross-check against backtesting.py on real series"
"$VENV/bin/python" scripts/backtest_crosscheck.py --smc "$TARGET_DIR/release/smc" 2>&1 | tee "$LOG/backtest.txt"

step "venue-sim conformance: the real python-binance 1.0.37 client against smc venue-sim"
SMC="$TARGET_DIR/release/smc" bash scripts/venue_sim_conformance.sh 2>&1 | tee "$LOG/venue_sim.txt"

step "venue-sim conformance: Bybit's own SDK, pybit 5.17.0, against smc venue-sim --protocol bybit"
SMC="$TARGET_DIR/release/smc" bash scripts/venue_sim_conformance_bybit.sh 2>&1 | tee "$LOG/venue_sim_bybit.txt"

step "venue-sim conformance: oandapyV20 0.7.2 against smc venue-sim --protocol oanda"
SMC="$TARGET_DIR/release/smc" bash scripts/venue_sim_conformance_oanda.sh 2>&1 | tee "$LOG/venue_sim_oanda.txt"

step "smc serve against its OpenAPI document: schemathesis (every check)"
SMC="$TARGET_DIR/release/smc" bash scripts/api_schemathesis.sh 2>&1 | tee "$LOG/schemathesis.txt"

if command -v prometheus >/dev/null; then
    step "a real Prometheus scraping smc serve's /metrics"
    SMC="$TARGET_DIR/release/smc" bash scripts/prometheus_scrape.sh 2>&1 | tee "$LOG/prometheus.txt"
else
    step "Prometheus scrape check skipped: prometheus is not installed (.ci/run installs it)"
fi

step "dashboard end to end: Playwright driving Chromium against smc serve fed by smc venue-sim"
SMC="$TARGET_DIR/release/smc" bash scripts/dashboard_e2e.sh 2>&1 | tee "$LOG/e2e.txt"

if [ -x crates/report/tests/browser_check.sh ]; then
    step "HTML chart in a real Chromium"
    bash crates/report/tests/browser_check.sh 2>&1 | tee "$LOG/browser.txt"
fi

# One closing line over every runner: cargo's per-binary results plus the
# cross-check's own summary.
passed=$(grep -hoE '^test result: .* ([0-9]+) passed' "$LOG/cargo-test.txt" | grep -oE '[0-9]+ passed' | awk '{s+=$1} END {print s+0}')
failed=$(grep -hoE '; ([0-9]+) failed' "$LOG/cargo-test.txt" | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}')
# The scripts' own "N passed, M failed" lines.
for f in "$LOG/vitest.txt" "$LOG/e2e.txt" "$LOG/crosscheck.txt" "$LOG/backtest.txt" "$LOG/venue_sim.txt" "$LOG/venue_sim_bybit.txt" "$LOG/venue_sim_oanda.txt" "$LOG/schemathesis.txt" \
    "$LOG/deploy.txt" \
    "$LOG/prometheus.txt" "$LOG/browser.txt"; do
    [ -f "$f" ] || continue
    line=$(grep -oE '[0-9]+ passed, [0-9]+ failed' "$f" | tail -1 || true)
    passed=$((passed + $(awk '{print $1}' <<<"${line:-0 passed, 0 failed}")))
    failed=$((failed + $(awk '{print $3}' <<<"${line:-0 passed, 0 failed}")))
done
printf '\n%s passed, %s failed\n' "$passed" "$failed"
