"""Diagnoses computed from the logs alone: overfitting, divergence, NaN/Inf, plateau.

No callback in the training code: each check reads a series (or a training/validation pair)
as parsed from the log, and says *what* happened, *where* it began (a step) and one line of
text. Directions (lower or higher is better) come from :mod:`metricwidgets.core.pairing`.

All checks are vectorised numpy, O(n) in the series length. Pure functions: thread-safe.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from metricwidgets.core.pairing import HIGHER, LOWER, ChartGroup

__all__ = [
    "Diagnosis", "SeriesData", "detect_nonfinite", "detect_divergence", "detect_overfitting",
    "detect_plateau", "diagnose_group",
]

#: Evaluations since validation's best before overfitting is called.
PATIENCE = 3
#: Points a series needs before a plateau can be called.
PLATEAU_MIN_POINTS = 20


@dataclass(frozen=True)
class Diagnosis:
    """One finding, drawn on the chart as a marker at ``step`` and a line of text.

    Attributes
    ----------
    kind : str
        ``overfitting``, ``divergence``, ``nonfinite`` or ``plateau``.
    metric : str
        The metric the finding is about (the validation series for overfitting).
    step : float
        Where it began, in the series' step units.
    value : float
        The metric's value there (NaN for a NaN/Inf capture).
    text : str
        One line for the user.
    severity : str
        ``error`` (divergence, NaN/Inf), ``warning`` (overfitting) or ``info`` (plateau).
    """

    kind: str
    metric: str
    step: float
    value: float
    text: str
    severity: str


@dataclass
class SeriesData:
    """The columns a diagnosis reads: steps and values in log order, and NaN/Inf captures.

    Attributes
    ----------
    step, value : numpy.ndarray of float64
    nonfinite : sequence of (step, line, kind)
        Captures that were NaN or infinite (``kind`` ``nan``, ``+inf``, ``-inf``).
    """

    step: np.ndarray
    value: np.ndarray
    nonfinite: Sequence = ()


def _oriented(values: np.ndarray, direction: str) -> np.ndarray:
    """Values turned so that lower is always better."""
    return -values if direction == HIGHER else values


def _fmt(value: float) -> str:
    return f"{value:.4g}"


def _finite(data: SeriesData) -> tuple[np.ndarray, np.ndarray]:
    keep = np.isfinite(data.value) & np.isfinite(data.step)
    if keep.all():
        return data.step, data.value
    return data.step[keep], data.value[keep]


def _smooth(values: np.ndarray, weight: float = 0.6) -> np.ndarray:
    from metricwidgets.core.view import ema

    return ema(values, weight)


def detect_nonfinite(metric: str, data: SeriesData) -> Diagnosis | None:
    """The first NaN or infinite value of the series (a capture or a stored value)."""
    candidates = [(float(step), int(line), kind) for step, line, kind in data.nonfinite]
    bad = np.flatnonzero(~np.isfinite(data.value))
    if len(bad):
        i = int(bad[0])
        value = float(data.value[i])
        kind = "nan" if math.isnan(value) else ("+inf" if value > 0 else "-inf")
        candidates.append((float(data.step[i]), -1, kind))
    candidates = [c for c in candidates if math.isfinite(c[0])] or candidates
    if not candidates:
        return None
    step, line, kind = min(candidates, key=lambda c: (math.isnan(c[0]), c[0]))
    where = f" (log line {line})" if line > 0 else ""
    count = len(data.nonfinite) + len(bad)
    text = (f"{metric} became {kind.upper().lstrip('+')} at step {_fmt(step)}{where}"
            f"{'' if count == 1 else f', {count} times'}: training has likely diverged")
    return Diagnosis("nonfinite", metric, step, math.nan, text, "error")


def detect_divergence(metric: str, data: SeriesData, direction: str | None,
                      min_run: int = 2) -> Diagnosis | None:
    """The series is now far worse than its best so far, and has been for ``min_run`` points.

    "Far": more than half of the progress made from the first value to the best is lost, and
    (for a lower-is-better metric) the value is more than twice the best. The diagnosis
    begins at the first point of the current run above that threshold.
    """
    if direction not in (LOWER, HIGHER):
        return None
    step, value = _finite(data)
    if len(value) < min_run + 2:
        return None
    o = _oriented(value, direction)
    best = np.minimum.accumulate(o)
    progress = o[0] - best
    scale = 0.5 * progress
    if direction == LOWER:
        scale = np.maximum(scale, np.abs(best))
    above = (o - best > scale) & (progress > 0)
    if not above[-1]:
        return None
    below = np.flatnonzero(~above)
    start = int(below[-1]) + 1 if len(below) else 0
    if len(o) - start < min_run:
        return None
    best_at = int(np.argmin(o[:start])) if start else 0
    text = (f"{metric} diverged at step {_fmt(step[start])}: {_fmt(value[-1])} now, far "
            f"{'above' if direction == LOWER else 'below'} its best {_fmt(value[best_at])} "
            f"(step {_fmt(step[best_at])})")
    return Diagnosis("divergence", metric, float(step[start]), float(value[start]), text, "error")


def _value_at(steps: np.ndarray, values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The latest value at or before each of ``at`` (the first value before any)."""
    order = np.argsort(steps, kind="stable")
    index = np.searchsorted(steps[order], at, side="right") - 1
    return values[order][np.clip(index, 0, len(values) - 1)]


def detect_overfitting(train_name: str, train: SeriesData, valid_name: str, valid: SeriesData,
                       direction: str | None, patience: int = PATIENCE) -> Diagnosis | None:
    """Validation's best was ``patience`` or more evaluations ago while training still
    improves (its smoothed value is better now than at validation's best), or the gap
    between them has widened since then.

    Begins at the step of validation's best.
    """
    if direction not in (LOWER, HIGHER):
        return None
    tstep, tvalue = _finite(train)
    vstep, vvalue = _finite(valid)
    if len(vvalue) < patience + 2 or len(tvalue) < 2:
        return None
    ov = _oriented(vvalue, direction)
    best = int(np.argmin(ov))
    since = len(ov) - 1 - best
    if since < patience:
        return None
    span = float(np.ptp(ov)) or 1.0
    if ov[-1] - ov[best] <= 0.01 * span:
        return None  # back at its best: not worse, only noisy
    ot = _oriented(tvalue, direction)
    smoothed = _smooth(ot)
    train_then = float(_value_at(tstep, smoothed, np.array([vstep[best]]))[0])
    train_now = float(smoothed[-1])
    tspan = float(np.ptp(ot)) or 1.0
    improving = train_now < train_then - 0.01 * tspan
    # The gap (validation minus training, oriented) at the same steps, from raw values.
    gaps = ov - _value_at(tstep, ot, vstep)
    gap_then, gap_now = float(gaps[best]), float(gaps[-1])
    widening = gap_now > gap_then + 0.01 * span
    if not (improving or widening):
        return None
    sign = -1.0 if direction == HIGHER else 1.0
    parts = [f"overfitting since step {_fmt(vstep[best])}: best {valid_name} "
             f"{_fmt(vvalue[best])} was {since} evaluations ago"]
    if improving:
        parts[0] += (f" while {train_name} still improves ({_fmt(sign * train_then)} -> "
                     f"{_fmt(sign * train_now)})")
    if widening:
        parts.append(f"gap widened {_fmt(gap_then)} -> {_fmt(gap_now)}")
    return Diagnosis("overfitting", valid_name, float(vstep[best]), float(vvalue[best]),
                     "; ".join(parts), "warning")


def detect_plateau(metric: str, data: SeriesData, direction: str | None,
                   rel_tol: float = 0.01, min_points: int = PLATEAU_MIN_POINTS) -> Diagnosis | None:
    """The best value has not improved by more than ``rel_tol`` of the series' range over
    the last quarter of its points (at least 10). Begins where that stall started."""
    if direction not in (LOWER, HIGHER):
        return None
    step, value = _finite(data)
    n = len(value)
    if n < min_points:
        return None
    o = _oriented(value, direction)
    span = float(np.ptp(o))
    if span <= 0:
        return None
    best = np.minimum.accumulate(o)
    tol = rel_tol * span
    start = int(np.argmax(best <= best[-1] + tol))
    window = max(10, n // 4)
    if n - 1 - start < window:
        return None
    text = (f"{metric} has plateaued since step {_fmt(step[start])}: best "
            f"{_fmt(value[int(np.argmin(o))])}, less than {rel_tol:.0%} of its range "
            f"gained over the last {n - 1 - start} points")
    return Diagnosis("plateau", metric, float(step[start]), float(value[start]), text, "info")


def diagnose_group(group: ChartGroup, series: Mapping[str, SeriesData]) -> list[Diagnosis]:
    """Every diagnosis of one chart's series of one job/host (``series``: metric -> data).

    Order: NaN/Inf and divergence first (errors), then overfitting, then plateaus. A metric
    that diverged or overfits is not also called a plateau.
    """
    direction = group.direction
    found: list[Diagnosis] = []
    for metric in group.metrics:
        data = series.get(metric)
        if data is None:
            continue
        for check in (detect_nonfinite(metric, data),
                      detect_divergence(metric, data, direction)):
            if check is not None:
                found.append(check)
    train, valid = group.find("train") or group.find(None), group.find("validation")
    if train and valid and train in series and valid in series:
        check = detect_overfitting(train, series[train], valid, series[valid], direction)
        if check is not None:
            found.append(check)
    flagged = {d.metric for d in found}
    for metric in group.metrics:
        if metric in series and metric not in flagged:
            check = detect_plateau(metric, series[metric], direction)
            if check is not None:
                found.append(check)
    return found
