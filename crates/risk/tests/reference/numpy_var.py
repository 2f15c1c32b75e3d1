"""Expected VaR/CVaR of real series, computed with numpy and scipy, for
crates/risk/tests/var_reference.rs. Run from the repository root:

    python crates/risk/tests/reference/numpy_var.py > crates/risk/tests/fixtures/var_expected.json

Returns are simple close-to-close returns of the close column read as
float64 (the last `window` returns when a window is given). Definitions are
those of `smc risk var` (issue 5): historical = −numpy.quantile(r, 1−c)
(linear), cvar = −mean(r[r <= q]); normal with ddof=1 and scipy.stats.norm;
Cornish-Fisher with scipy.stats.skew/kurtosis (biased, excess).
"""

import json

import numpy as np
import pandas as pd
from scipy import stats

SERIES = [
    "testdata/market/binance-spot/ETHUSDT-1h.csv",
    "testdata/market/oanda/EURUSD-1d.csv",
    "testdata/market/binance-usdm/BTCUSDT-1m.csv",
]


def estimates(r, c):
    q = np.quantile(r, 1 - c)
    mu, sd = r.mean(), r.std(ddof=1)
    z = stats.norm.ppf(1 - c)
    s, k = stats.skew(r), stats.kurtosis(r)
    zcf = z + (z**2 - 1) * s / 6 + (z**3 - 3 * z) * k / 24 - (2 * z**3 - 5 * z) * s**2 / 36
    return {
        "historical": {"var": -q, "cvar": -r[r <= q].mean()},
        "normal": {"var": -(mu + z * sd), "cvar": -mu + sd * stats.norm.pdf(z) / (1 - c)},
        "cornish-fisher": {"var": -(mu + zcf * sd), "cvar": None},
    }


cases = []
for path in SERIES:
    close = pd.read_csv(path)["close"].to_numpy(dtype=float)
    r_all = close[1:] / close[:-1] - 1
    for window in (None, 1000):
        r = r_all if window is None else r_all[-window:]
        for c in (0.95, 0.99):
            for method, v in estimates(r, c).items():
                cases.append({"series": path, "window": window, "confidence": c, "method": method, **v})
print(json.dumps(cases, indent=1))
