#!/bin/sh
# Rebuilds the fixtures: inputs from testdata/market, expected values from
# numpy/pandas. Run from anywhere; PYTHON defaults to the project venv.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
fixtures="$here/../fixtures"
py=${PYTHON:-/work/venv-smc/bin/python}
"$py" "$here/make_fixtures.py" "$root" "$fixtures"
for name in eth_1h eurusd_1d; do
  "$py" "$here/numpy_metrics.py" "$fixtures/${name}_equity.csv" \
    "$fixtures/${name}_trades.csv" "$fixtures/${name}_expected.json"
done
# The same EURUSD curve with a 2 % annual risk-free rate (Sharpe, Sortino).
"$py" "$here/numpy_metrics.py" "$fixtures/eurusd_1d_equity.csv" \
  "$fixtures/eurusd_1d_trades.csv" "$fixtures/eurusd_1d_rf2_expected.json" 0.02
