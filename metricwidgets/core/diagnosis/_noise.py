"""Robust statistics of one series: its noise, a smooth of it, a level around a point.

The diagnoses compare a change with the series' *own* noise, so a noisy run needs a larger
rise before it is called worse than a clean one. The noise is the median absolute deviation
(MAD) of each point from the straight line through its two neighbours, scaled to a standard
deviation: a trend (even a curved one) cancels out, and a few outliers (a loss spike, the
steep first epochs) do not move a median. Pure numpy, O(n) or O(n w) for a window ``w``.
"""

from __future__ import annotations

import numpy as np

from metricwidgets.core.diagnosis._window_ranks import window_ranks

__all__ = ["PrefixStats", "level_at", "noise_scale", "running_median"]

#: Series at least this long get their full windows' medians from a comparator network.
_NETWORK_FROM = 64

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
    return _noise_of_residuals(_residuals(v))


def _residuals(v: np.ndarray) -> np.ndarray:
    """Each inner point's distance from the straight line through its two neighbours."""
    return v[1:-1] - 0.5 * (v[:-2] + v[2:])


def _noise_of_residuals(residual: np.ndarray, median=np.median) -> float:
    centre = median(residual)
    deviation = np.abs(residual - centre)
    mad = float(median(deviation))
    if mad > 0:
        return mad * _MAD_TO_SIGMA
    return float(np.mean(deviation)) * _MEAN_AD_TO_SIGMA


def _finite_median(x: np.ndarray) -> float:
    """``np.median`` of finite values, without its checks (a replay calls it hundreds of
    times on a few hundred points): the middle value, or the mean of the middle two."""
    n = len(x)
    h = n // 2
    if n % 2:
        return float(np.partition(x, h)[h])
    part = np.partition(x, (h - 1, h))
    return float((part[h - 1] + part[h]) / 2)


def running_median(values: np.ndarray, window: int) -> np.ndarray:
    """The centred running median over ``window`` points (odd), windows shrinking at the ends.

    The last point's median covers only the points up to it, so the smooth of a prefix is
    what a live chart sees: the ends are never filled with guesses of the future.
    """
    v = np.asarray(values, np.float64)
    n = len(v)
    half = max(int(window) // 2, 0)
    width = 2 * half + 1
    if n == 0 or half == 0:
        return v.copy()
    if n < _NETWORK_FROM or np.isnan(v).any():
        return _sorted_running_median(v, half)
    # Full windows by a comparator network (the same values as sorting them, 4-10x faster
    # on long series); the shrinking windows of both ends as before.
    (middle,) = window_ranks(v, width, (half,))
    out = np.empty(n, np.float64)
    out[half:n - half] = 0.5 * (middle + middle)  # as the sorted path's two middles
    out[:half] = _sorted_running_median(v[:width], half)[:half]
    out[n - half:] = _sorted_running_median(v[n - width:], half)[half + 1:]
    return out


def _sorted_running_median(v: np.ndarray, half: int) -> np.ndarray:
    """:func:`running_median` by sorting every window (NaNs, which sort last, left out)."""
    n = len(v)
    padded = np.concatenate([np.full(half, np.nan), v, np.full(half, np.nan)])
    windows = np.sort(np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1), axis=1)
    count = np.sum(~np.isnan(windows), axis=1)  # NaNs sort last
    rows = np.arange(n)
    return 0.5 * (windows[rows, (count - 1) // 2] + windows[rows, count // 2])


class PrefixStats:
    """:func:`running_median` and :func:`noise_scale` of many prefixes ``values[:k]`` of one
    series (a live chart's replay), each exactly what the function gives on the prefix.

    The running median of a prefix is the whole series' one except for its last
    ``window // 2`` points, whose windows the prefix cuts: those are medians of the last
    ``c`` points of the prefix (``c`` from ``window // 2 + 1`` to ``window - 1``), computed
    for every prefix at once. The noise's residuals are computed once too.

    Parameters
    ----------
    values : numpy.ndarray
        The whole series (finite values; others are served, but not faster).
    """

    def __init__(self, values: np.ndarray):
        self.values = np.asarray(values, np.float64)
        self._residuals = _residuals(self.values) if len(self.values) >= 3 else None
        self._smooths: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        # Not finite after all: every prefix computed as it is (np.median spreads NaN).
        self._finite = bool(np.isfinite(self.values).all())

    def _parts(self, half: int) -> tuple[np.ndarray, np.ndarray]:
        """The whole series' running median, and row k: the cut tail of prefix k."""
        parts = self._smooths.get(half)
        if parts is None:
            v, n = self.values, len(self.values)
            tails = np.full((n + 1, half), np.nan)
            for column, count in enumerate(range(2 * half, half, -1)):
                if count <= n:
                    windows = np.sort(np.lib.stride_tricks.sliding_window_view(v, count),
                                      axis=1)
                    tails[count:, column] = 0.5 * (windows[:, (count - 1) // 2] +
                                                   windows[:, count // 2])
            parts = self._smooths[half] = (running_median(v, 2 * half + 1), tails)
        return parts

    def running_median(self, k: int, window: int) -> np.ndarray:
        """``running_median(values[:k], window)``."""
        half = max(int(window) // 2, 0)
        if half == 0 or k <= 2 * half + 1 or not self._finite:
            return running_median(self.values[:k], window)
        whole, tails = self._parts(half)
        return np.concatenate([whole[:k - half], tails[k]])

    def noise_scale(self, k: int) -> float:
        """``noise_scale(values[:k])``."""
        if not self._finite:
            return noise_scale(self.values[:k])
        if k < 3:
            return 0.0
        return _noise_of_residuals(self._residuals[:k - 2], _finite_median)


def level_at(values: np.ndarray, index: int, half: int = 1) -> float:
    """The median of the points within ``half`` of ``index`` (a robust local value)."""
    v = np.asarray(values, np.float64)
    lo, hi = max(index - half, 0), min(index + half + 1, len(v))
    return float(np.median(v[lo:hi]))
