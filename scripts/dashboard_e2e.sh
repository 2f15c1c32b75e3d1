#!/usr/bin/env bash
# The dashboard's end-to-end suite in Debian's Chromium against a real
# `smc serve` fed by `smc venue-sim` (dashboard/e2e/run.mjs).
#
#   SMC=target/release/smc bash scripts/dashboard_e2e.sh     # from the repo root
#
# SMC must be a binary built after `npm run build` in dashboard/ (it embeds
# dashboard/dist). UPDATE_DOCS=1 copies the screenshots to docs/dashboard/;
# CHROMIUM overrides /usr/bin/chromium; E2E_DIST=<a dashboard build> serves
# that build through vite preview in front of smc's API instead (to try
# views before smc is rebuilt). Screenshots land in dashboard/test-results/.
# Exits non-zero on failure; the last line is `N passed, M failed`.

set -uo pipefail
cd "$(dirname "$0")/.."

fail() {
  echo "dashboard e2e: $*" >&2
  echo "0 passed, 1 failed"
  exit 1
}

export SMC="${SMC:-target/release/smc}"
[ -x "$SMC" ] || fail "no smc binary at $SMC (cargo build --release -p smc-cli, after npm run build in dashboard/)"
command -v node >/dev/null || fail "node is not installed"
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || fail "no Chromium at ${CHROMIUM:-/usr/bin/chromium} (apt-get install chromium)"
if [ ! -d dashboard/node_modules/playwright-core ]; then
  (cd dashboard && npm ci --no-audit --no-fund) || fail "npm ci in dashboard/ failed"
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
node dashboard/e2e/run.mjs 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
last="$(tail -n 1 "$log")"
if ! [[ "$last" =~ ^[0-9]+\ passed,\ [0-9]+\ failed$ ]]; then
  # The runner died before its summary (it prints one even on failure).
  echo "0 passed, 1 failed"
  exit 1
fi
if [ "$status" -ne 0 ] || ! [[ "$last" =~ \ 0\ failed$ ]]; then
  exit 1
fi
exit 0
