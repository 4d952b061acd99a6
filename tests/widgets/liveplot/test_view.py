"""What a chart draws from a series: smoothing, downsampling, ranges, log safety, marks."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metricwidgets.core.parsing import Drop
from metricwidgets.widgets.liveplot import (
    SeriesCache, downsample_indices, ema, log_safe, mark_points, points_for_width, series_view,
    visible_bounds, x_values, y_range)


def tensorboard_smoothing(values, weight):
    """TensorBoard's loop, written out: the oracle the vectorised EMA is checked against."""
    last, count, out = 0.0, 0, []
    for x in values:
        if not math.isfinite(x):
            out.append(x)
            continue
        last = last * weight + (1 - weight) * x
        count += 1
        out.append(last / (1 - weight ** count))
    return np.array(out)


@pytest.mark.parametrize("weight", [0.001, 0.3, 0.6, 0.9, 0.999])
def test_ema_matches_tensorboards_debiased_loop(weight):
    values = np.random.default_rng(1).normal(5, 2, 5000)
    np.testing.assert_allclose(ema(values, weight), tensorboard_smoothing(values, weight),
                               rtol=1e-9, atol=1e-9)


def test_ema_starts_at_the_first_value_not_at_zero():
    # Debiasing: an undebiased EMA of [10, 10] would start at 4 with weight 0.6.
    assert ema([10.0, 10.0, 10.0], 0.6).tolist() == pytest.approx([10.0, 10.0, 10.0])


def test_ema_passes_nan_through_without_poisoning_later_values():
    out = ema([1.0, float("nan"), 1.0, float("inf")], 0.6)
    assert math.isnan(out[1]) and out[3] == math.inf
    assert out[2] == pytest.approx(1.0)


def test_ema_weight_zero_is_the_raw_series_and_one_is_refused():
    assert ema([1.0, 5.0], 0.0).tolist() == [1.0, 5.0]
    with pytest.raises(ValueError):
        ema([1.0], 1.0)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=300),
       st.integers(1, 299), st.floats(0.0, 0.999))
def test_incremental_smoothing_equals_smoothing_everything_at_once(values, cut, weight):
    values = np.array(values)
    cache = SeriesCache()
    cache.smoothed(values[: min(cut, len(values))], weight)
    np.testing.assert_allclose(cache.smoothed(values, weight), ema(values, weight),
                               rtol=1e-9, atol=1e-6)


def test_changing_the_weight_recomputes_the_smoothing():
    values = np.arange(10.0)
    cache = SeriesCache()
    cache.smoothed(values, 0.6)
    np.testing.assert_allclose(cache.smoothed(values, 0.9), ema(values, 0.9))


def test_downsampling_keeps_a_single_spike_among_a_million_points():
    y = np.zeros(1_000_000)
    y[654_321] = 1e6
    y[123_456] = -5.0
    x = np.arange(len(y), dtype=np.float64)
    index = downsample_indices(x, y, 1600)
    assert len(index) <= 1602
    assert 654_321 in index and 123_456 in index
    assert index[0] == 0 and index[-1] == len(y) - 1
    assert np.all(np.diff(index) > 0)


def test_downsampling_ignores_nan_and_keeps_extremes():
    y = np.random.default_rng(0).normal(size=10_000)
    y[::7] = np.nan
    y[5001] = 100.0
    index = downsample_indices(np.arange(10_000.0), y, 200)
    assert 5001 in index


def test_short_series_are_not_downsampled():
    assert downsample_indices(np.arange(5.0), np.arange(5.0), 100).tolist() == [0, 1, 2, 3, 4]


def test_visible_bounds_widen_by_one_point_each_side():
    x = np.arange(100.0)
    assert visible_bounds(x, 10.5, 20.5, True) == (10, 22)
    unsorted = np.array([5.0, 1.0, 3.0, 9.0])
    assert visible_bounds(unsorted, 2, 6, False).tolist() == [0, 2]


def test_y_range_ignores_outliers_unless_asked_not_to():
    y = np.concatenate([np.random.default_rng(0).uniform(0, 1, 1000), [1e9]])
    lo, hi = y_range([y])
    assert hi < 2 and lo > -1
    assert y_range([y], ignore_outliers=False)[1] > 1e9


def test_y_range_in_log_space_skips_non_positive_values():
    lo, hi = y_range([np.array([-1.0, 0.0, 1.0, 100.0])], ignore_outliers=False, log=True)
    assert 0 < lo < 1 and hi > 100


def test_y_range_of_a_constant_series_is_not_empty():
    lo, hi = y_range([np.full(50, 3.0)])
    assert lo < 3.0 < hi


def test_log_safe_hides_values_that_a_log_scale_cannot_draw():
    y, hidden = log_safe(np.array([1.0, 0.0, -2.0, 5.0]))
    assert hidden == 2 and np.isnan(y[1]) and np.isnan(y[2]) and y[3] == 5.0


def test_x_modes():
    step, ts = np.array([1.0, 2.0]), np.array([100.0, 160.0])
    assert x_values(step, ts, "step").tolist() == [1.0, 2.0]
    assert x_values(step, ts, "relative", origin=40.0).tolist() == [60.0, 120.0]
    assert x_values(step, ts, "wall").tolist() == [100.0, 160.0]
    with pytest.raises(ValueError):
        x_values(step, ts, "epoch")


def test_nan_and_inf_marks_are_placed_at_their_step():
    drops = [Drop(0, 12, "nan", "nan", float("nan"), 7.0, 100.0),
             Drop(0, 30, "-inf", "inf", float("-inf"), float("nan"), 200.0)]
    marks = mark_points(drops, "step", step_fallback=lambda line: 15.0)
    assert marks.x.tolist() == [7.0, 15.0]
    assert marks.kind == ["nan", "-inf"]
    assert mark_points(drops, "relative", origin=50.0).x.tolist() == [50.0, 150.0]


def test_series_view_sends_o_of_the_view_not_of_the_series():
    n = 1_000_000
    step = np.arange(n, dtype=np.float64)
    value = np.sin(step / 1000.0)
    cache = SeriesCache()
    view = series_view(step, step + 1e9, value, cache, n_out=points_for_width(800))
    assert view.total == n and view.visible == n
    assert len(view.x) <= 1602 and len(view.sx) <= 1602
    np.testing.assert_allclose(view.sy, ema(value, 0.6)[view.sindex])
    zoomed = series_view(step, step + 1e9, value, cache, x_range=(1000.0, 1100.0), n_out=1600)
    assert zoomed.x.min() >= 999.0 and zoomed.x.max() <= 1101.0
    assert len(zoomed.x) == 103  # every point in the zoom, plus one each side


def test_series_view_with_unknown_times_draws_only_placed_points():
    step = np.arange(4.0)
    ts = np.array([10.0, np.nan, 30.0, 40.0])
    view = series_view(step, ts, np.arange(4.0), SeriesCache(), mode="wall")
    assert view.x.tolist() == [10.0, 30.0, 40.0]
    assert view.index.tolist() == [0, 2, 3]


def test_wide_views_are_downsampled_from_cached_block_extremes_without_losing_spikes():
    rng = np.random.default_rng(5)
    n = 300_001
    step = np.arange(n, dtype=np.float64)
    value = rng.normal(size=n)
    spikes = [3, 100_000, 257_123, n - 2]
    value[spikes] = [40.0, -55.0, 80.0, 33.0]
    cache = SeriesCache()
    for stop in (200_000, n):  # the second call reuses the first call's blocks
        view = series_view(step[:stop], step[:stop], value[:stop], cache, smoothing=0.0,
                           n_out=1000)
        assert len(view.x) <= 1010
        kept = set(view.index.tolist())
        assert {i for i in spikes if i < stop} <= kept
    # Zoomed into a range that starts and ends inside blocks: the edges are exact.
    view = series_view(step, step, value, cache, x_range=(99_000.5, 251_000.5), smoothing=0.0,
                       n_out=1000)
    assert view.x[0] == 99_000.0 and view.x[-1] == 251_001.0
    assert 100_000 in view.index.tolist()
    direct = downsample_indices(step[99_000:251_002], value[99_000:251_002], 1000)
    assert value[view.index].max() == value[99_000 + direct].max()
    assert value[view.index].min() == value[99_000 + direct].min()


# --------------------------------------------------------------------------- zoom refinement
def _noisy_run(n=18_000, spikes=(1_000, 5_000, 13_000, 15_500), seed=3):
    rng = np.random.default_rng(seed)
    step = np.arange(n, dtype=np.float64)
    value = np.exp(-step / 6000.0) + rng.normal(0.0, 0.05, n)
    value[list(spikes)] += 3.0
    return step, 1.7e9 + 2.0 * step, value


def test_a_zoom_asks_again_at_full_resolution_with_more_points_in_view_than_the_whole_curve():
    step, ts, value = _noisy_run()
    cache = SeriesCache()
    whole = series_view(step, ts, value, cache, n_out=1400)
    lo, hi = 12_000.0, 16_500.0  # a quarter of the run
    zoomed = series_view(step, ts, value, cache, x_range=(lo, hi), n_out=1400)
    inside = (zoomed.x >= lo) & (zoomed.x <= hi)
    assert inside.sum() >= len(whole.x)
    assert inside.sum() >= 1390  # the whole budget spent on what is in view
    assert {13_000, 15_500} <= set(zoomed.index.tolist())  # the spikes in view are drawn


def test_a_zoom_holding_fewer_points_than_the_budget_draws_every_one_of_them():
    step, ts, value = _noisy_run()
    view = series_view(step, ts, value, SeriesCache(), x_range=(9_000.0, 9_999.0), n_out=1400)
    assert view.index.tolist() == list(range(8_999, 10_001))  # and one each side
    np.testing.assert_array_equal(view.y, value[8_999:10_001])


def test_a_zoom_in_relative_time_is_the_same_points_as_in_wall_time():
    step, ts, value = _noisy_run()
    origin = 1.7e9 - 60.0
    wall = series_view(step, ts, value, SeriesCache(), mode="wall",
                       x_range=(1.7e9 + 20_000.0, 1.7e9 + 30_000.0), n_out=800)
    relative = series_view(step, ts, value, SeriesCache(), mode="relative", origin=origin,
                           x_range=(20_060.0, 30_060.0), n_out=800)
    assert relative.index.tolist() == wall.index.tolist()
    np.testing.assert_allclose(relative.x, wall.x - origin)


def test_a_nan_value_survives_downsampling_so_the_line_breaks_where_it_is():
    step, ts, value = _noisy_run()
    value[[4_321, 11_000]] = [np.nan, np.inf]
    view = series_view(step, ts, value, SeriesCache(), n_out=400)
    assert {4_321, 11_000} <= set(view.index.tolist())
    assert len(view.x) <= 400 + 2 + 2
    zoomed = series_view(step, ts, value, SeriesCache(), x_range=(10_000.0, 12_000.0),
                         n_out=400)
    assert 11_000 in zoomed.index.tolist() and 4_321 not in zoomed.index.tolist()


def test_many_nan_values_are_kept_one_per_stretch_within_a_quarter_of_the_budget():
    y = np.random.default_rng(0).normal(size=100_000)
    y[::3] = np.nan
    index = downsample_indices(np.arange(100_000.0), y, 400)
    gaps = np.flatnonzero(~np.isfinite(y[index]))
    assert 50 <= len(gaps) <= 101  # one per stretch, and the first point (a NaN here)
    assert len(index) <= 400 + 100 + 4  # and the first and last, of all and of the finite


def test_a_zoom_into_a_million_points_keeps_every_spike_in_view():
    n = 1_000_000
    rng = np.random.default_rng(9)
    step = np.arange(n, dtype=np.float64)
    value = rng.normal(size=n)
    value[[400_123, 444_444, 470_001]] = [25.0, -30.0, 40.0]
    cache = SeriesCache()
    series_view(step, step, value, cache, n_out=1400)
    view = series_view(step, step, value, cache, x_range=(400_000.0, 475_000.0), n_out=1400)
    assert {400_123, 444_444, 470_001} <= set(view.index.tolist())
    assert 1_300 <= len(view.x) <= 1_404


@pytest.mark.parametrize("values", [[], [5], [3, 3, 3], [9, 1, 4, 1, 9, 0], list(range(50))])
def test_sorted_unique_is_numpys_unique_as_int64(values):
    from metricwidgets.widgets.liveplot._view import sorted_unique

    got = sorted_unique(np.asarray(values, np.int64))
    assert got.dtype == np.int64 and np.array_equal(got, np.unique(np.asarray(values, np.int64)))


def test_sorted_unique_matches_numpy_on_random_indices_and_rounded_floats():
    from metricwidgets.widgets.liveplot._view import sorted_unique

    rng = np.random.default_rng(3)
    for _ in range(200):
        ints = rng.integers(0, 300, rng.integers(1, 400))
        assert np.array_equal(sorted_unique(ints), np.unique(ints))
        floats = np.linspace(0, rng.integers(1, 500), rng.integers(2, 900)).round()
        assert np.array_equal(sorted_unique(floats), np.unique(floats).astype(np.int64))
