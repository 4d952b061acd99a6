"""The fast paths of the noise statistics give exactly what the direct computation gives."""

from __future__ import annotations

import numpy as np
import pytest

from metricwidgets.core.diagnosis import _detectors as diagnostics
from metricwidgets.core.diagnosis._noise import PrefixStats, _sorted_running_median, noise_scale, \
    running_median


def _series(seed, n, quantised=False):
    rng = np.random.default_rng(seed)
    v = np.cumsum(rng.normal(size=n)) + rng.normal(0, 3, n)
    return np.round(v) if quantised else v


@pytest.mark.parametrize("window", [3, 5, 9])
@pytest.mark.parametrize("quantised", [False, True])
def test_running_median_of_a_long_series_equals_sorting_each_window(window, quantised):
    v = _series(window, 5000, quantised)
    np.testing.assert_array_equal(running_median(v, window),
                                  _sorted_running_median(v, window // 2))


def test_running_median_with_nan_leaves_them_out_of_the_windows():
    v = _series(1, 500)
    v[[3, 100, 101, 499]] = np.nan
    got = running_median(v, 5)
    assert got[100] == np.median(v[[98, 99, 102]])
    np.testing.assert_array_equal(got, _sorted_running_median(v, 2))


@pytest.mark.parametrize("quantised", [False, True])
def test_prefix_stats_equal_the_functions_on_every_prefix(quantised):
    v = _series(2, 400, quantised)
    stats = PrefixStats(v)
    for k in range(len(v) + 1):
        for window in (3, 5, 9):
            np.testing.assert_array_equal(stats.running_median(k, window),
                                          running_median(v[:k], window))
        assert stats.noise_scale(k) == noise_scale(v[:k])


def test_prefix_stats_of_values_not_finite_equal_the_functions_too():
    v = _series(3, 100)
    v[50] = np.inf
    stats = PrefixStats(v)
    for k in (10, 50, 51, 52, 100):
        np.testing.assert_array_equal(stats.running_median(k, 5), running_median(v[:k], 5))
        assert np.isnan(stats.noise_scale(k)) == np.isnan(noise_scale(v[:k]))


@pytest.mark.parametrize("n", [1, 4, 5, 6, 3000])
def test_previous_levels_by_network_equal_the_sorted_windows(n):
    o = _series(n, n, quantised=n > 10)
    for fast, slow in zip(diagnostics._previous_levels(o),
                          diagnostics._sorted_previous_levels(o)):
        np.testing.assert_array_equal(fast, slow)
