#!/usr/bin/env bash
# End-to-end check of `smc detect --format html` and of the backtest report
# (`smc backtest --report`) in a real headless Chromium,
# offline: the page produced by the command must run its script without an
# error, draw candles and zones, offer one button per timeframe, and pass
# its own self-test (#selftest: every timeframe drawn, wheel zoom, drag pan,
# pinch, price-axis stretch, crosshair readout). Leaves a screenshot in
# $CARGO_TARGET_DIR/chart.png. Prints "N passed, M failed" for scripts/test.sh.
# Skips (exit 0, with a notice) when no Chromium is installed. SMC_BIN may
# name an already built smc binary; otherwise the release one is built.
# (`cargo test -p smc-report` runs the same kind of checks on generated
# pages without the command line: tests/browser.rs.)
set -euo pipefail
cd "$(dirname "$0")/../../.."
CHROME=${SMC_CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
if [ -z "$CHROME" ]; then
    echo "browser check skipped: no chromium on PATH"
    exit 0
fi
TARGET_DIR=${CARGO_TARGET_DIR:-target}
if [ -z "${SMC_BIN:-}" ]; then
    cargo build --release --quiet -p smc-cli
    SMC_BIN="$TARGET_DIR/release/smc"
fi
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
"$SMC_BIN" detect --input testdata/market/binance-usdm/BTCUSDT-1m.csv \
    --timeframes 1m,5m,1h,1d --format html --output "$OUT/chart.html"
FLAGS=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --user-data-dir="$OUT/profile" --window-size=1400,800
       --hide-scrollbars "--host-resolver-rules=MAP * ~NOTFOUND" --virtual-time-budget=5000)
timeout 120 "$CHROME" "${FLAGS[@]}" --dump-dom "file://$OUT/chart.html#selftest" > "$OUT/dom.html" 2>/dev/null || true
timeout 120 "$CHROME" "${FLAGS[@]}" --screenshot="$TARGET_DIR/chart.png" "file://$OUT/chart.html" >/dev/null 2>&1 || true

body=$(grep -o '<body[^>]*>' "$OUT/dom.html" | head -1 || true)
attr() { sed -n "s/.* data-$1=\"\\([0-9.]*\\)\".*/\\1/p" <<<"$body"; }
ready=$(attr ready); errors=$(attr errors); candles=$(attr candles); zones=$(attr zones)
buttons=$(sed -n 's/.*id="timeframes"[^>]*>\(.*\)<\/nav>.*/\1/p' "$OUT/dom.html" | grep -o '<button' | wc -l)
# The self-test's report: the last <pre id="selftest"> (the script quotes the tag in a comment).
report=$(grep -o '<pre id="selftest"[^>]*>[^<]*</pre>' "$OUT/dom.html" | tail -1 || true)
frames=$(grep -o '"timeframe":"[^"]*"' <<<"$report" | wc -l)
echo "chart: ready=${ready:-none} errors=${errors:-none} candles=${candles:-0} zones=${zones:-0} timeframe buttons=$buttons self-tested frames=$frames"

passed=0; failed=0
check() { if eval "$1"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $2"; fi; }
check '[ "${ready:-}" = 1 ]' "the page script did not finish"
check '[ "${errors:-}" = 0 ]' "the page reported script errors"
check '[ "${candles:-0}" -gt 50 ]' "fewer than 50 candles drawn"
check '[ "${zones:-0}" -gt 0 ]' "no zone drawn"
check '[ "$buttons" -eq 4 ]' "expected 4 timeframe buttons"
check '[ "$frames" -eq 4 ]' "the self-test did not cover the 4 timeframes"
for key in wheelZooms dragPans pinchZooms priceAxisScales doubleClickAutoFits crosshair; do
    check "[ \"\$(grep -o '\"$key\":true' <<<\"\$report\" | wc -l)\" -eq 4 ]" "self-test: $key failed on some timeframe"
done
check '[ -s "$TARGET_DIR/chart.png" ]' "no screenshot"
check '! grep -qiE "(src|href)=\"?https?:" "$OUT/chart.html"' "the page references the network"

# The backtest report of `smc backtest --report` on the bundled example
# config: the performance tab draws the equity curve, the chart tab passes
# the chart's self-test on both of the run's timeframes.
"$SMC_BIN" backtest --config config.example.yaml --report "$OUT/backtest.html" >/dev/null
timeout 120 "$CHROME" "${FLAGS[@]}" --dump-dom "file://$OUT/backtest.html" > "$OUT/bt-perf.html" 2>/dev/null || true
timeout 120 "$CHROME" "${FLAGS[@]}" --dump-dom "file://$OUT/backtest.html#tab=chart&selftest" > "$OUT/bt-chart.html" 2>/dev/null || true
timeout 120 "$CHROME" "${FLAGS[@]}" --screenshot="$TARGET_DIR/backtest.png" "file://$OUT/backtest.html" >/dev/null 2>&1 || true
body=$(grep -o '<body[^>]*>' "$OUT/bt-perf.html" | head -1 || true)
perf_errors=$(attr errors); equity_points=$(attr equity-points)
body=$(grep -o '<body[^>]*>' "$OUT/bt-chart.html" | head -1 || true)
chart_ready=$(attr ready); chart_errors=$(attr errors)
report=$(grep -o '<pre id="selftest"[^>]*>[^<]*</pre>' "$OUT/bt-chart.html" | tail -1 || true)
bt_frames=$(grep -o '"timeframe":"[^"]*"' <<<"$report" | wc -l)
echo "backtest report: equity points=${equity_points:-0} errors=${perf_errors:-none}/${chart_errors:-none} self-tested frames=$bt_frames"
check '[ "${perf_errors:-}" = 0 ] && [ "${chart_errors:-}" = 0 ]' "the backtest report reported script errors"
check '[ "${equity_points:-0}" -gt 100 ]' "the backtest report drew no equity curve"
check '[ "${chart_ready:-}" = 1 ] && [ "$bt_frames" -eq 2 ]' "the backtest report's chart self-test did not cover its 2 timeframes"
check "[ \"\$(grep -o '\"crosshair\":true' <<<\"\$report\" | wc -l)\" -eq 2 ]" "the backtest report's chart gestures failed"
check '! grep -qiE "(src|href)=\"?https?:" "$OUT/backtest.html"' "the backtest report references the network"
echo "browser: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
