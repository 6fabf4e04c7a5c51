"""Regenerates the analytics reference values (pymannkendall 1.4.3, scipy, pykrige 1.7).

    pip install pymannkendall==1.4.3 pykrige==1.7.3 numpy scipy
    python3 generate.py   # writes trend.json, correlation.json, kriging.json here

Inputs are synthetic (seeded) and rounded to 4 decimals, so that they parse exactly.
"""
import json
import math
import os

import numpy as np
import pymannkendall as mk
from pykrige.ok import OrdinaryKriging
from scipy import stats

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20261129)


def clean(v):
    """NaN -> None (JSON null); numpy scalars -> Python."""
    if isinstance(v, (list, tuple, np.ndarray)):
        return [clean(u) for u in v]
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    v = float(v)
    return None if math.isnan(v) else v


def series(n, slope, noise, nan_frac=0.0, decimals=4):
    x = slope * np.arange(n) + noise * rng.standard_normal(n)
    x = np.round(x, decimals)
    if nan_frac:
        x[rng.random(n) < nan_frac] = np.nan
    return x


def mk_result(r):
    return {
        "trend": r.trend,
        "h": bool(r.h),
        "p": float(r.p),
        "z": float(r.z),
        "tau": float(r.Tau),
        "s": float(r.s),
        "var_s": float(r.var_s),
        "slope": float(r.slope),
        "intercept": float(r.intercept),
    }


def trend_cases():
    cases = []

    def original(name, x, alpha=0.05):
        cases.append({"name": name, "test": "original", "alpha": alpha, "x": clean(x),
                      "expected": mk_result(mk.original_test(x, alpha=alpha))})

    def seasonal(name, x, period, alpha=0.05):
        cases.append({"name": name, "test": "seasonal", "period": period, "alpha": alpha,
                      "x": clean(x),
                      "expected": mk_result(mk.seasonal_test(x, period=period, alpha=alpha))})

    original("n4", np.array([1.0, 2.5, 2.0, 4.0]))
    original("n10_ties", np.array([3, 1, 2, 2, 5, 3, 3, 6, 7, 6], dtype=float))
    original("n30_decreasing", series(30, -0.2, 1.0))
    original("n50_nan", series(50, 0.05, 1.0, nan_frac=0.15))
    original("n60_integers_heavy_ties", np.round(series(60, 0.03, 2.0)))
    original("n100_no_trend", series(100, 0.0, 1.0))
    original("n120_nan_alpha_0.1", series(120, 0.01, 1.0, nan_frac=0.3), alpha=0.1)
    original("n200_leading_nan", np.concatenate([[np.nan, np.nan], series(198, 0.002, 1.0)]))
    original("n500_trend", series(500, 0.01, 1.0))
    original("n500_strong_trend", series(500, 0.1, 1.0))
    months = np.arange(120)
    base = 5 * np.sin(2 * np.pi * months / 12)
    seasonal("monthly_10y", np.round(base + 0.02 * months + rng.standard_normal(120), 4), 12)
    x = np.round(base - 0.01 * months + rng.standard_normal(120), 4)
    x[rng.random(120) < 0.1] = np.nan
    seasonal("monthly_10y_nan", x, 12)
    seasonal("monthly_incomplete_last_year", np.round(base + rng.standard_normal(120), 1)[:115], 12)
    seasonal("quarterly", series(40, 0.05, 1.0), 4)
    return cases


def correlation_cases():
    cases = []
    n = 80
    a = np.round(rng.standard_normal(n), 4)
    b = np.round(0.6 * np.roll(a, 2) + 0.8 * rng.standard_normal(n), 4)
    b[5] = np.nan
    a[11] = np.nan
    c = np.round(rng.integers(0, 6, n).astype(float), 0)  # heavy ties for Spearman
    d = np.round(np.exp(a) + 0.3 * rng.standard_normal(n), 4)
    for name, x, y in [("a_b", a, b), ("a_c", a, c), ("a_d", a, d), ("c_d", c, d)]:
        for lag in [-3, 0, 1, 2]:
            i = np.arange(len(x))
            j = i + lag
            ok = (j >= 0) & (j < len(y))
            px, py = x[i[ok]], y[j[ok]]
            keep = ~(np.isnan(px) | np.isnan(py))
            px, py = px[keep], py[keep]
            for method, fn in [("pearson", stats.pearsonr), ("spearman", stats.spearmanr)]:
                r = fn(px, py)
                cases.append({"name": name, "x": clean(x), "y": clean(y), "lag": lag,
                              "method": method, "r": float(r.statistic), "p": float(r.pvalue),
                              "n": int(len(px))})
    return cases


def kriging_cases():
    # Sites like stations over a province, in degrees (Euclidean, as pykrige's default).
    n = 40
    xs = np.round(113.0 + 2.0 * rng.random(n), 4)
    ys = np.round(22.5 + 1.5 * rng.random(n), 4)
    zs = np.round(30 + 10 * np.sin(xs * 2) + 8 * np.cos(ys * 3) + rng.standard_normal(n), 3)
    x0, y0, dx, dy, nx, ny = 112.9, 22.4, 0.125, 0.1, 18, 18
    gridx = x0 + np.arange(nx) * dx
    gridy = y0 + np.arange(ny) * dy
    # One grid node exactly on a site, to check exactness with a nugget.
    xs[0], ys[0] = gridx[3], gridy[4]
    models = [
        ("spherical", {"psill": 40.0, "range": 1.2, "nugget": 2.0}),
        ("exponential", {"psill": 35.0, "range": 1.5, "nugget": 0.0}),
        ("gaussian", {"psill": 30.0, "range": 0.9, "nugget": 1.0}),
        ("linear", {"slope": 20.0, "nugget": 0.5}),
    ]
    cases = []
    for model, params in models:
        ok = OrdinaryKriging(xs, ys, zs, variogram_model=model, variogram_parameters=params)
        z, ss = ok.execute("grid", gridx, gridy)
        cases.append({"model": model, "params": params,
                      "expected_values": clean(np.asarray(z).ravel()),
                      "expected_variance": clean(np.asarray(ss).ravel())})
    return {"sites": {"x": clean(xs), "y": clean(ys), "z": clean(zs)},
            "grid": {"x0": x0, "y0": y0, "dx": dx, "dy": dy, "nx": nx, "ny": ny},
            "cases": cases}


def dump(name, obj):
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(obj, f, allow_nan=False, separators=(",", ":"))
        f.write("\n")


dump("trend.json", {"generator": f"pymannkendall {mk.__version__}", "cases": trend_cases()})
dump("correlation.json", {"generator": "scipy.stats pearsonr/spearmanr", "cases": correlation_cases()})
dump("kriging.json", {"generator": "pykrige OrdinaryKriging.execute('grid')", **kriging_cases()})
