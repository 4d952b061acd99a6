"""Robust statistics of one series: its noise, a smooth of it, a level around a point.

The diagnoses compare a change with the series' *own* noise, so a noisy run needs a larger
rise before it is called worse than a clean one. The noise is the median absolute deviation
(MAD) of each point from the straight line through its two neighbours, scaled to a standard
deviation: a trend (even a curved one) cancels out, and a few outliers (a loss spike, the
steep first epochs) do not move a median. Pure numpy, O(n) or O(n w) for a window ``w``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["level_at", "noise_scale", "running_median"]

# 1.4826 turns a MAD into a standard deviation for normal noise; the residual from the
# neighbours' mean has variance 1.5 sigma^2 (1 + 1/4 + 1/4).
_MAD_TO_SIGMA = 1.4826 / np.sqrt(1.5)
_MEAN_AD_TO_SIGMA = 1.2533 / np.sqrt(1.5)


def noise_scale(values: np.ndarray) -> float:
    """The standard deviation of the noise of ``values`` (0 for fewer than 3 points).

    When more than half of the residuals are equal (a quantised or constant series) the MAD
    is 0; the mean absolute deviation is used then, so a series that does move is never
    called noise-free.
    """
    v = np.asarray(values, np.float64)
    if len(v) < 3:
        return 0.0
    residual = v[1:-1] - 0.5 * (v[:-2] + v[2:])
    centre = np.median(residual)
    deviation = np.abs(residual - centre)
    mad = float(np.median(deviation))
    if mad > 0:
        return mad * _MAD_TO_SIGMA
    return float(np.mean(deviation)) * _MEAN_AD_TO_SIGMA


def running_median(values: np.ndarray, window: int) -> np.ndarray:
    """The centred running median over ``window`` points (odd), windows shrinking at the ends.

    The last point's median covers only the points up to it, so the smooth of a prefix is
    what a live chart sees: the ends are never filled with guesses of the future.
    """
    v = np.asarray(values, np.float64)
    n = len(v)
    half = max(int(window) // 2, 0)
    if n == 0 or half == 0:
        return v.copy()
    padded = np.concatenate([np.full(half, np.nan), v, np.full(half, np.nan)])
    windows = np.sort(np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1), axis=1)
    count = np.sum(~np.isnan(windows), axis=1)  # NaNs sort last
    rows = np.arange(n)
    return 0.5 * (windows[rows, (count - 1) // 2] + windows[rows, count // 2])


def level_at(values: np.ndarray, index: int, half: int = 1) -> float:
    """The median of the points within ``half`` of ``index`` (a robust local value)."""
    v = np.asarray(values, np.float64)
    lo, hi = max(index - half, 0), min(index + half + 1, len(v))
    return float(np.median(v[lo:hi]))
