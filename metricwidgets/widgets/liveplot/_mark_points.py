"""Where a series' NaN / infinite captures go on the chart's x-axis (the crosses drawn by
:mod:`~metricwidgets.widgets.liveplot._chart_marks`): maths only, no widget."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from metricwidgets.widgets.liveplot._view import x_values

__all__ = ["MarkPoints", "mark_points"]


@dataclass
class MarkPoints:
    """Where the NaN / infinite / out-of-range captures of a series happened.

    Attributes
    ----------
    x : numpy.ndarray
        In the chart's x mode; the captures without a usable x are left out.
    kind : list of str
        ``nan``, ``+inf`` or ``-inf`` for each.
    line : list of int
        1-based log lines.
    """

    x: np.ndarray
    kind: list
    line: list


def mark_points(drops: Sequence, mode: str, origin: float = 0.0, step_fallback=None):
    """Place drops (objects with ``value``, ``step``, ``timestamp``, ``line``) on the x-axis.

    ``step_fallback(line)`` gives a step for a drop that has none (its neighbour's step);
    without it such drops are placed at NaN and left out.
    """
    xs, kinds, lines = [], [], []
    for drop in drops:
        step = drop.step
        if mode == "step" and math.isnan(step) and step_fallback is not None:
            step = step_fallback(drop.line)
        x = float(x_values(np.float64(step), np.float64(drop.timestamp), mode, origin))
        if not math.isfinite(x):
            continue
        value = drop.value
        kind = "+inf" if value == math.inf or (math.isfinite(value) and value > 0) else (
            "-inf" if value == -math.inf or (math.isfinite(value) and value < 0) else "nan")
        xs.append(x)
        kinds.append(kind)
        lines.append(drop.line)
    return MarkPoints(np.asarray(xs, np.float64), kinds, lines)
