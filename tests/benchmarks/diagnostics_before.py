"""The diagnoses computed as before the comparator networks and the prefix statistics (main
at 639aa28): the same rules, on sorted windows, each replayed prefix's smooth and noise
computed afresh. The benchmarks time a diagnosis both ways in the same run.

``with before(): ...`` swaps the three pieces into :mod:`metricwidgets.core.diagnosis._detectors`
(one thread: the benchmark's).
"""

from __future__ import annotations

import contextlib
from unittest import mock

import numpy as np

from metricwidgets.core.diagnosis import _detectors as diagnostics, _noise as noise

__all__ = ["before"]


def _running_median(values, window):
    v = np.asarray(values, np.float64)
    half = max(int(window) // 2, 0)
    if len(v) == 0 or half == 0:
        return v.copy()
    return noise._sorted_running_median(v, half)


class _EachPrefix:
    """What the replay did per prefix: its smooth and its noise, both from scratch (the
    noise with the smooth, as the replay measured it before looking at the smooth)."""

    def __init__(self, values):
        self.values = np.asarray(values, np.float64)
        self._noise = 0.0

    def running_median(self, k: int, window: int):
        self._noise = noise.noise_scale(self.values[:k])
        return _running_median(self.values[:k], window)

    def noise_scale(self, k: int) -> float:
        return self._noise


@contextlib.contextmanager
def before():
    """The old computation in force inside the block."""
    with mock.patch.multiple(diagnostics, running_median=_running_median,
                             PrefixStats=_EachPrefix,
                             _previous_levels=diagnostics._sorted_previous_levels):
        yield
