"""Nice ticks: 1-2-5 steps, decades on log axes, whole steps, time labels, never a repeat."""

from __future__ import annotations

import itertools
import math
import time

import pytest

from metricwidgets.widgets.liveplot import (
    duration_ticks,
    js_number_key,
    linear_ticks,
    log_ticks,
    ticks_for,
    time_ticks,
)

RANGES = [(-0.015, 0.8), (0.0, 0.8), (1.005, 1.012), (0.99, 1.01), (0.025, 0.134),
          (3.0, 1e7), (-5.0, 5.0), (1e-9, 3e-9), (123456.0, 123457.0), (7.0, 7.0)]


def _is_125(step: float) -> bool:
    mantissa = step / 10 ** math.floor(math.log10(step) + 1e-9)
    return any(math.isclose(mantissa, m, rel_tol=1e-6) for m in (1, 2, 5, 10))


@pytest.mark.parametrize("lo,hi", RANGES)
def test_linear_ticks_are_125_steps_inside_the_range_with_distinct_labels(lo, hi):
    ticks = linear_ticks(lo, hi, 6)
    values = ticks.values
    assert len(values) >= 2
    steps = [b - a for a, b in itertools.pairwise(values)]
    assert all(math.isclose(s, steps[0], rel_tol=1e-6) for s in steps) and _is_125(steps[0])
    span = (lo, hi) if hi > lo else (lo - abs(lo) * 0.1, hi + abs(hi) * 0.1)
    assert all(span[0] - 1e-12 <= v <= span[1] + 1e-12 for v in values)
    assert len(set(ticks.labels)) == len(ticks.labels)
    assert [float(label) for label in ticks.labels] == pytest.approx(list(values), rel=1e-3,
                                                                     abs=1e-12)


def test_all_positive_range_gets_no_negative_tick():
    assert min(linear_ticks(0.0, 0.8).values) == 0.0
    assert linear_ticks(0.0, 0.8).labels[0] == "0"


def test_step_axis_ticks_are_whole_numbers():
    for lo, hi in [(0, 29), (0, 3), (-1, 79), (0, 1_000_000)]:
        ticks = linear_ticks(lo, hi, 7, integer=True)
        assert all(float(v).is_integer() for v in ticks.values)
        assert ticks.labels == tuple(str(int(v)) for v in ticks.values)
    assert linear_ticks(0, 29, 7, integer=True).values == (0, 5, 10, 15, 20, 25)


@pytest.mark.parametrize("lo,hi", [(1e-5, 3.0), (0.02, 0.9), (3.0, 1e7), (0.2, 0.5),
                                   (0.11, 0.13)])
def test_log_ticks_are_decades_or_125_inside_the_range(lo, hi):
    ticks = log_ticks(lo, hi)
    assert len(ticks.values) >= 2 and len(set(ticks.labels)) == len(ticks.labels)
    assert all(lo <= v * (1 + 1e-9) and v <= hi * (1 + 1e-9) for v in ticks.values)
    assert list(ticks.values) == sorted(ticks.values)


def test_log_ticks_over_many_decades_are_powers_of_ten():
    values = log_ticks(1e-5, 3.0).values
    assert values == (1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1.0)


def test_duration_and_wall_time_labels_are_clock_times():
    assert duration_ticks(0, 400).labels == ("0:00", "1:00", "2:00", "3:00", "4:00",
                                             "5:00", "6:00")
    assert duration_ticks(3, 7000).labels[-1].count(":") == 2
    start = 1_700_000_000.0
    ticks = time_ticks(start, start + 40)
    assert ticks.time_format == "%H:%M:%S"
    assert ticks.labels == tuple(time.strftime("%H:%M:%S", time.gmtime(v)) for v in ticks.values)
    days = time_ticks(start, start + 3 * 86400)
    assert len(set(days.labels)) == len(days.labels)


def test_ticks_for_dispatches_on_the_axis_kind():
    assert ticks_for("step", 0, 29).labels[1] == "5"
    assert ticks_for("wall", 1.7e9, 1.7e9 + 60).time_format is not None
    assert ":" in ticks_for("relative", 0, 100).labels[1]


@pytest.mark.parametrize("value,text", [(1.0, "1"), (0.1, "0.1"), (1e-7, "1e-7"),
                                        (1e-6, "0.000001"), (2.5e-5, "0.000025"),
                                        (1e21, "1e+21"), (-0.5, "-0.5"), (0.0, "0")])
def test_js_number_key_writes_numbers_as_javascript_does(value, text):
    assert js_number_key(value) == text


@pytest.mark.parametrize("mode", ["step", "wall"])
def test_an_axis_update_sends_the_tick_values_after_their_labels_or_format(mode, monkeypatch):
    # The browser applies a message's attributes in order, and bqplot draws new values with
    # the labels it holds then (tests/browser/test_tick_labels.py shows it on screen).
    import numpy as np

    from metricwidgets.widgets.liveplot import Axes, to_dates

    axes = Axes(mode, False, "loss")
    sent = []
    for axis in (axes.x_axis, axes.y_axis):
        monkeypatch.setattr(axis, "_send", lambda msg, buffers=None: sent.append(list(msg["state"])))
    x = (lambda s: to_dates(np.array([1.7e9 + s]))[0]) if mode == "wall" else float
    for lo, hi in [(0.0, 1.0), (0.13, 0.42), (5.0, 9000.0)]:
        axes.x_scale.min, axes.x_scale.max = x(lo * 1000), x(hi * 1000)
        axes.y_scale.min, axes.y_scale.max = lo, hi
        axes.apply_ticks()
    with_values = [keys for keys in sent if "tick_values" in keys]
    assert sum(len(keys) > 1 for keys in with_values) >= 4  # values sent with labels or format
    assert all(keys[-1] == "tick_values" for keys in with_values), with_values
