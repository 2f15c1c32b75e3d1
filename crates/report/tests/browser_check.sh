#!/usr/bin/env bash
# Renders `smc detect --format html` in a real headless Chromium and checks
# that the page's script ran: it marks <body data-ready="1"> and records how
# many candles and zones it drew. Leaves a screenshot in target/chart.png.
# Skips (exit 0, with a notice) when no Chromium is installed.
set -euo pipefail
cd "$(dirname "$0")/../../.."
CHROME=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$CHROME" ]; then
    echo "browser check skipped: no chromium on PATH"
    exit 0
fi
cargo build --release --quiet -p smc-cli
TARGET_DIR=${CARGO_TARGET_DIR:-target}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
"$TARGET_DIR/release/smc" detect --input testdata/market/binance-usdm/BTCUSDT-1m.csv \
    --timeframes 1m,5m,1h,1d --format html --output "$OUT/chart.html"
FLAGS=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --user-data-dir="$OUT/profile" --window-size=1400,800
       --virtual-time-budget=5000)
"$CHROME" "${FLAGS[@]}" --dump-dom "file://$OUT/chart.html" > "$OUT/dom.html" 2>/dev/null
"$CHROME" "${FLAGS[@]}" --screenshot="$TARGET_DIR/chart.png" "file://$OUT/chart.html" >/dev/null 2>&1 || true
body=$(grep -o '<body[^>]*>' "$OUT/dom.html" | head -1)
ready=$(sed -n 's/.*data-ready="\([0-9]*\)".*/\1/p' <<<"$body")
candles=$(sed -n 's/.*data-candles="\([0-9]*\)".*/\1/p' <<<"$body")
zones=$(sed -n 's/.*data-zones="\([0-9]*\)".*/\1/p' <<<"$body")
buttons=$(grep -o '<button' "$OUT/dom.html" | wc -l)
echo "chart: ready=${ready:-none} candles=${candles:-0} zones=${zones:-0} timeframe buttons=$buttons"
passed=0; failed=0
check() { if eval "$1"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $2"; fi; }
check '[ "${ready:-}" = 1 ]' "the page script did not finish"
check '[ "${candles:-0}" -gt 50 ]' "fewer than 50 candles drawn"
check '[ "${zones:-0}" -gt 0 ]' "no zone drawn"
check '[ "$buttons" -eq 4 ]' "expected 4 timeframe buttons"
check '! grep -qE "(src|href)=\"https?://" "$OUT/chart.html"' "the page references the network"
echo "browser: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
