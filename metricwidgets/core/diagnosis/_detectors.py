"""Diagnoses computed from the logs alone: overfitting, divergence, NaN/Inf, plateau.

No callback in the training code: each check reads a series (or a training/validation pair)
as parsed from the log and says *what* happened, *where* it began (a step) and one line of
plain text (a :class:`~metricwidgets.core.diagnosis._findings.Finding`). Directions (lower or higher is
better) come from :mod:`metricwidgets.core.pairing`. Every call is on evidence measured
against the series' own noise (:mod:`metricwidgets.core.diagnosis._noise`):

- **overfitting**: validation's robust smooth (running median) has risen above its lowest
  point by more than ``RISE_SIGMAS`` noise standard deviations (and ``RISE_OF_RANGE`` of
  its range), for the last ``SUSTAIN`` evaluations, while training's level fell by more than
  its own noise since that lowest point; never on fewer than ``MIN_EVALUATIONS``.
- **divergence**: a loss ``EXPLOSION`` times (an order of magnitude) above its running level
  (the median of the points before it) on two evaluations in a row; for a higher-is-better
  metric, a collapse that loses nearly all the progress made. NaN/Inf: ``nonfinite``.
- **plateau**: the smoothed best has not improved by more than the noise (or 2% of the
  range) for the last quarter of the points, at least ``PLATEAU_STRETCH``.

Hysteresis, decided as a rule of the data (no state between calls): overfitting is replayed
over the prefixes of the validation series, the way a live chart receives them; once called
at some prefix it stays, with the step where it began pinned, until validation sets a new
best clearly (by the same margin) below that one. So a flag never flickers as points arrive,
and the chart (called every few seconds) and the CLI (called once) say the same. Long
series are judged on medians of blocks of 2^k points (at most ``MAX_VALIDATION`` validation
and ``MAX_TRAINING`` training blocks) and replayed on at most ``MAX_REPLAYS`` prefixes, so a
call costs a bounded time; training's noise is that of its whole series. Divergence
and NaN/Inf report their first onset, which later points cannot undo. A plateau ends only
when the metric improves by more than the margin again.

Pure numpy functions: thread-safe.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from metricwidgets.core.diagnosis._findings import Diagnosis, Finding
from metricwidgets.core.diagnosis._numbers import plain_number
from metricwidgets.core.diagnosis._noise import PrefixStats, level_at, noise_scale, running_median
from metricwidgets.core.pairing import HIGHER, LOWER, ChartGroup
from metricwidgets.core.diagnosis._window_ranks import window_ranks

__all__ = [
    "Diagnosis",
    "Finding",
    "SeriesData",
    "detect_divergence",
    "detect_nonfinite",
    "detect_overfitting",
    "detect_plateau",
    "diagnose_group",
    "overfitting_history",
]

#: Validation evaluations an overfitting call needs at the least.
MIN_EVALUATIONS = 6
#: Evaluations in a row validation must stay clearly worse than its best.
SUSTAIN = 3
#: ...or this share of the evaluations, when more.
SUSTAIN_SHARE = 0.1
#: "Clearly worse": this many noise standard deviations above the best...
RISE_SIGMAS = 3.0
#: ...and this share of the smoothed validation's range.
RISE_OF_RANGE = 0.05
#: Training "keeps improving": its level fell by this many of its noise deviations.
TRAIN_SIGMAS = 3.0
#: A value this many times its running level (lower-is-better) is an explosion.
EXPLOSION = 10.0
#: Points before it that make a running level.
LEVEL_POINTS = 5
#: Points a series needs before a plateau can be called, and the shortest plateau.
PLATEAU_MIN_POINTS = 20
PLATEAU_STRETCH = 10
#: Prefixes replayed at most per call (longer validation series are replayed on a grid).
MAX_REPLAYS = 256
#: Points of validation and training judged as they are; longer series in median blocks.
MAX_VALIDATION = 512
MAX_TRAINING = 4096


@dataclass
class SeriesData:
    """The columns a diagnosis reads: steps and values in log order, and NaN/Inf captures.

    Attributes
    ----------
    step, value : numpy.ndarray of float64
    nonfinite : sequence of (step, line, kind)
        Captures that were NaN or infinite (``kind`` ``nan``, ``+inf``, ``-inf``).
    time : numpy.ndarray of float64 or None
        Each point's log timestamp (epoch seconds, NaN unknown): what a stall is read from.
    """

    step: np.ndarray
    value: np.ndarray
    nonfinite: Sequence = ()
    time: np.ndarray | None = None


def _oriented(values: np.ndarray, direction: str) -> np.ndarray:
    """Values turned so that lower is always better."""
    return -values if direction == HIGHER else values


def _fmt(value: float) -> str:
    return plain_number(value)


def _finite(data: SeriesData) -> tuple[np.ndarray, np.ndarray]:
    step = np.asarray(data.step, np.float64)
    value = np.asarray(data.value, np.float64)
    keep = np.isfinite(value) & np.isfinite(step)
    if keep.all():
        return step, value
    return step[keep], value[keep]


def _smooth_window(n: int) -> int:
    """The running median's window: wider for longer series (more points per wiggle)."""
    return 3 if n < 15 else 5 if n < 60 else 9


def detect_nonfinite(metric: str, data: SeriesData) -> Finding | None:
    """The first NaN or infinite value of the series (a capture or a stored value)."""
    candidates = [(float(step), int(line), kind) for step, line, kind in data.nonfinite]
    value = np.asarray(data.value, np.float64)
    bad = np.flatnonzero(~np.isfinite(value))
    if len(bad):
        i = int(bad[0])
        kind = "nan" if math.isnan(value[i]) else ("+inf" if value[i] > 0 else "-inf")
        candidates.append((float(data.step[i]), -1, kind))
    candidates = [c for c in candidates if math.isfinite(c[0])] or candidates
    if not candidates:
        return None
    step, line, kind = min(candidates, key=lambda c: (math.isnan(c[0]), c[0]))
    where = f" (log line {line})" if line > 0 else ""
    count = len(data.nonfinite) + len(bad)
    text = (f"{metric} became {kind.upper().lstrip('+')} at step {_fmt(step)}{where}"
            f"{'' if count == 1 else f', {count} times'}: training has likely diverged")
    return Finding("nonfinite", metric, step, math.nan, text, "error")


def _previous_windows(o: np.ndarray, width: int) -> np.ndarray:
    """Row i: the ``width`` points before i, sorted, NaN-padded at the start."""
    padded = np.concatenate([np.full(width, np.nan), o[:-1]])
    return np.sort(np.lib.stride_tricks.sliding_window_view(padded, width), axis=1)


def _sorted_previous_levels(o: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row i: how many of the ``LEVEL_POINTS`` points before i there are, their median and
    their spread (max - min; 0 with none), from the sorted windows."""
    windows = _previous_windows(o, LEVEL_POINTS)
    count = np.sum(~np.isnan(windows), axis=1)
    rows = np.arange(len(o))
    safe = np.maximum(count, 1)
    median = 0.5 * (windows[rows, (safe - 1) // 2] + windows[rows, safe // 2])
    filled = np.where(count[:, None] > 0, windows, 0.0)
    spread = np.nanmax(filled, axis=1) - np.nanmin(filled, axis=1)
    return count, median, spread


def _previous_levels(o: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_sorted_previous_levels` of a finite ``o``: the first rows (fewer points before
    them) from sorted windows, the full windows' order statistics by a comparator network
    (the same values, without a copy of the series per window position)."""
    n, width = len(o), LEVEL_POINTS
    count, median, spread = _sorted_previous_levels(o[:min(n, width)])
    if n <= width:
        return count, median, spread
    low, middle, high = window_ranks(o[:-1], width, (0, width // 2, width - 1))
    return (np.concatenate([count, np.full(n - width, width)]),
            np.concatenate([median, 0.5 * (middle + middle)]),
            np.concatenate([spread, high - low]))


def _exploded(o: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which points are ``EXPLOSION`` times above the running level, and that level.

    The running level is the lowest median of ``LEVEL_POINTS`` consecutive points reached
    before the point (so a steady climb cannot drag the level up with it); its scale is the
    larger of the level and the spread of those points (a loss near 0 is not "10x" by noise).
    """
    count, median, spread = _previous_levels(o)
    rows = np.arange(len(o))
    median = np.where(count >= 3, median, np.inf)
    lowest = np.minimum.accumulate(median)
    # Where the lowest median was reached (strictly: a tie later on keeps the first).
    before = np.concatenate([[np.inf], lowest[:-1]])
    at = np.maximum.accumulate(np.where(median < before, rows, 0))
    level = lowest
    scale = np.maximum(np.abs(level), spread[at])
    above = (o > level + (EXPLOSION - 1.0) * scale) & np.isfinite(level) & (scale > 0)
    return above, level, scale


def _collapsed(o: np.ndarray) -> np.ndarray:
    """Which points (oriented: lower is better) lost 90% of the progress made before them."""
    best = np.minimum.accumulate(o)
    before = np.concatenate([[o[0]], best[:-1]])
    progress = o[0] - before
    noise = noise_scale(o)
    return (o - before > 0.9 * progress) & (progress > max(5.0 * noise, 0.0)) & \
        (np.arange(len(o)) >= 3)


def detect_divergence(metric: str, data: SeriesData, direction: str | None) -> Finding | None:
    """The first of two evaluations in a row where the metric blew up.

    Lower-is-better: ``EXPLOSION`` times above the median of the ``LEVEL_POINTS`` points
    before (the spread of those points counts too, so a loss near 0 is not "10x" by noise).
    Higher-is-better: back below where it started, 90% of its progress lost.
    """
    if direction not in (LOWER, HIGHER):
        return None
    step, value = _finite(data)
    if len(value) < 5:
        return None
    o = _oriented(value, direction)
    if direction == LOWER:
        bad, level, scale = _exploded(o)
    else:
        bad, level = _collapsed(o), None
    run = np.flatnonzero(bad[:-1] & bad[1:])
    if not len(run):
        return None
    i = int(run[0])
    if direction == LOWER:
        # Began where the climb left the level: the last point before within 2x of it.
        calm = np.flatnonzero(o[:i] <= level[i] + scale[i])
        i = int(calm[-1]) + 1 if len(calm) else i
        ratio = value[-1] / level[i] if level[i] > 0 else math.inf
        times = f", {plain_number(ratio, 3)} times that level" if math.isfinite(ratio) else ""
        text = (f"{metric} exploded from its running level {_fmt(level[i])}: it climbs from "
                f"step {_fmt(step[i])} ({_fmt(value[i])}) to {_fmt(value[-1])} at step "
                f"{_fmt(step[-1])}{times}")
    else:
        best = int(np.argmax(value[:i]))
        text = (f"{metric} collapsed at step {_fmt(step[i])}: {_fmt(value[i])}, down from its "
                f"best {_fmt(value[best])} (step {_fmt(step[best])}) to below its start "
                f"{_fmt(value[0])}")
    return Finding("divergence", metric, float(step[i]), float(value[i]), text, "error",
                   details={"level": None if level is None else float(level[i])})


# ---------------------------------------------------------------------- overfitting
def _window_median(steps: np.ndarray, values: np.ndarray, lo: float, hi: float) -> float:
    """The median of the values with steps in [lo, hi]; the 3 nearest to hi if none."""
    inside = (steps >= lo) & (steps <= hi)
    if inside.sum() >= 1:
        return float(np.median(values[inside]))
    nearest = np.argsort(np.abs(steps - hi), kind="stable")[:3]
    return float(np.median(values[nearest]))


@dataclass
class _Evidence:
    turn: int          # index of validation's best (raw) near the smooth's lowest point
    level: float       # the smooth's value there (oriented)
    margin: float      # how much worse is "clearly worse"
    train_then: float  # training's level at the turn (oriented)
    train_now: float   # and now
    sigma: float


def _turn(vo: np.ndarray, smooth: np.ndarray, low: int, floor: float) -> int:
    """Where validation turned: its raw best within the bottom around the smooth's lowest
    point (the stretch where the smooth stays within half the margin of it). On a flat
    bottom the smooth's own lowest point is wherever the noise dipped deepest."""
    outside = smooth > floor
    left = np.flatnonzero(outside[:low])
    right = np.flatnonzero(outside[low:])
    lo = int(left[-1]) + 1 if len(left) else 0
    hi = low + int(right[0]) if len(right) else len(vo)
    return lo + int(np.argmin(vo[lo:hi]))


def _evidence(vstep, vo, tstep, to, tsigma: float, pinned: _Evidence | None = None,
              stats: PrefixStats | None = None) -> _Evidence | None:
    """The overfitting evidence on these (already cut) series, or None.

    With ``pinned`` (a call standing from an earlier prefix) the turn, level and margin are
    kept and only training's levels are brought up to date. ``tsigma``: training's noise.
    ``stats``: the smooth and noise of validation's prefixes, when ``vo`` is one of them.
    """
    n = len(vo)
    if n < MIN_EVALUATIONS or len(to) < 2:
        return None
    if pinned is None:
        stats = stats if stats is not None else PrefixStats(vo)
        smooth = stats.running_median(n, _smooth_window(n))
        low = int(np.argmin(smooth))
        sustain = max(SUSTAIN, round(SUSTAIN_SHARE * n))
        if n - 1 - low < sustain:
            return None  # (before the noise is measured: most prefixes end here)
        sigma = stats.noise_scale(n)
        margin = max(RISE_SIGMAS * sigma, RISE_OF_RANGE * float(np.ptp(smooth)), 1e-12)
        level = float(smooth[low])
        # Sustained: every smoothed point of the stretch clearly above, their mean by the
        # whole margin (one lucky point cannot carry it, nor one point that dips).
        if not np.all(smooth[-sustain:] > level + 0.5 * margin):
            return None
        if np.mean(smooth[-sustain:]) <= level + margin:
            return None
        turn = _turn(vo, smooth, low, level + 0.5 * margin)
    else:
        turn, level, margin, sigma = pinned.turn, pinned.level, pinned.margin, pinned.sigma
    t_lo = vstep[turn - 1] if turn > 0 else -math.inf
    t_hi = vstep[turn + 1] if turn + 1 < n else vstep[turn]
    train_then = _window_median(tstep, to, t_lo, t_hi)
    train_now = _window_median(tstep, to, vstep[max(n - SUSTAIN, 0)], vstep[-1])
    if pinned is None and not train_now < train_then - max(TRAIN_SIGMAS * tsigma, 1e-12):
        return None
    return _Evidence(turn, level, margin, train_then, train_now, sigma)


def _checkpoints(n: int) -> np.ndarray:
    """Prefix lengths to replay: all of them, or a power-of-two grid (plus the last)."""
    first = MIN_EVALUATIONS
    if n < first:
        return np.empty(0, np.int64)
    stride = 1
    while (n - first) // stride + 1 > MAX_REPLAYS:
        stride *= 2
    grid = np.arange(first, n + 1, stride)
    return grid if grid[-1] == n else np.append(grid, n)


def _blocks(step: np.ndarray, values: np.ndarray, limit: int):
    """A long series as medians of blocks of 2^k points (at most about ``limit`` blocks), each
    at its last step; returns (steps, values, block size). Sizes change only at doublings,
    so a growing series keeps its blocks (the last one fills up)."""
    n = len(values)
    if n <= limit:
        return step, values, 1
    size = 2 ** math.ceil(math.log2(n / limit))
    whole = n // size * size
    medians = np.median(values[:whole].reshape(-1, size), axis=1)
    steps = step[size - 1:whole:size]
    if whole < n:
        medians = np.append(medians, np.median(values[whole:]))
        steps = np.append(steps, step[-1])
    return steps, medians, size


def overfitting_history(train: SeriesData, valid: SeriesData, direction: str | None):
    """Replay validation's prefixes; return ``(evidence or None, ever_called)``.

    ``evidence`` is the call standing after the last point (its turn pinned where it was
    first called, as an index of ``valid``'s finite points); ``ever_called`` tells whether a
    call was shown at some prefix (a live chart would have shown it, even if validation later
    recovered and the call ended). Series longer than ``MAX_VALIDATION`` (validation) or
    ``MAX_TRAINING`` (training) points are judged on medians of blocks, so a call costs a
    bounded time whatever the run's length.
    """
    if direction not in (LOWER, HIGHER):
        return None, False
    tstep, tvalue = _finite(train)
    vstep, vvalue = _finite(valid)
    order = np.argsort(tstep, kind="stable")
    tstep, to, _ = _blocks(tstep[order], _oriented(tvalue[order], direction), MAX_TRAINING)
    bstep, vo, size = _blocks(vstep, _oriented(vvalue, direction), MAX_VALIDATION)
    tsigma = noise_scale(to)
    stats = PrefixStats(vo)
    standing, ever = None, False
    checkpoints = _checkpoints(len(vo))
    for k in checkpoints:
        t_cut = int(np.searchsorted(tstep, bstep[k - 1], side="right"))
        if standing is not None:
            after = vo[standing.turn + 1:k]
            if not (len(after) and after.min() < standing.level - standing.margin):
                continue  # the call stands; its figures are brought up to date at the end
            standing = None  # a new best, clearly below: validation recovered
        standing = _evidence(bstep[:k], vo[:k], tstep[:t_cut], to[:t_cut], tsigma,
                             stats=stats)
        ever = ever or standing is not None
    if standing is not None:
        standing = _evidence(bstep, vo, tstep, to, tsigma, standing)
        if size > 1:  # back to a point of the series: the best inside the block
            lo = standing.turn * size
            raw = _oriented(vvalue[lo:lo + size], direction)
            standing.turn = lo + int(np.argmin(raw))
    return standing, ever


def detect_overfitting(train_name: str, train: SeriesData, valid_name: str, valid: SeriesData,
                       direction: str | None) -> Finding | None:
    """Overfitting, in plain words, beginning at validation's best before it turned.

    See the module's docstring for the rule and its hysteresis.
    """
    evidence, _ = overfitting_history(train, valid, direction)
    if evidence is None:
        return None
    vstep, vvalue = _finite(valid)
    turn = evidence.turn
    sign = -1.0 if direction == HIGHER else 1.0
    now = level_at(vvalue, len(vvalue) - 1)
    moved, kept = ("rose", "falling") if direction == LOWER else ("fell", "rising")
    text = (f"overfitting: {valid_name} {moved} from its best {_fmt(vvalue[turn])} (step "
            f"{_fmt(vstep[turn])}) to {_fmt(now)} (step {_fmt(vstep[-1])}) while {train_name} "
            f"kept {kept} ({_fmt(sign * evidence.train_then)} → "
            f"{_fmt(sign * evidence.train_now)})")
    details = {"best": float(vvalue[turn]), "now": now, "noise": float(evidence.sigma),
               "margin": float(evidence.margin), "train_then": sign * evidence.train_then,
               "train_now": sign * evidence.train_now}
    return Finding("overfitting", valid_name, float(vstep[turn]), float(vvalue[turn]), text,
                   "warning", details=details)


# ---------------------------------------------------------------------- plateau
def detect_plateau(metric: str, data: SeriesData, direction: str | None) -> Finding | None:
    """No improvement of the smoothed best by more than the margin (noise or 2% of the
    range) over the last quarter of the points (at least ``PLATEAU_STRETCH``).
    Begins where the stall started."""
    if direction not in (LOWER, HIGHER):
        return None
    step, value = _finite(data)
    n = len(value)
    if n < PLATEAU_MIN_POINTS:
        return None
    o = _oriented(value, direction)
    smooth = running_median(o, _smooth_window(n))
    span = float(np.ptp(smooth))
    if span <= 0:
        return None
    margin = max(0.02 * span, 2.0 * noise_scale(o))
    best = np.minimum.accumulate(smooth)
    start = int(np.argmax(best <= best[-1] + margin))
    stretch = n - 1 - start
    if stretch < max(PLATEAU_STRETCH, n // 4):
        return None
    text = (f"plateau: {metric} has not improved meaningfully since step {_fmt(step[start])} "
            f"(best {_fmt(value[int(np.argmin(o))])}; {stretch} evaluations within "
            f"{_fmt(margin)} of it)")
    return Finding("plateau", metric, float(step[start]), float(value[start]), text, "info")


def diagnose_group(group: ChartGroup, series: Mapping[str, SeriesData], job: str = "",
                   host: str = "") -> list[Finding]:
    """Every finding of one chart's series of one job/host (``series``: metric -> data).

    Order: NaN/Inf and divergence first (errors), then overfitting, then plateaus. A metric
    that diverged or overfits is not also called a plateau. Findings carry ``job``/``host``.
    """
    direction = group.direction
    found: list[Finding] = []
    for metric in group.metrics:
        data = series.get(metric)
        if data is None:
            continue
        for check in (detect_nonfinite(metric, data),
                      detect_divergence(metric, data, direction)):
            if check is not None:
                found.append(check)
    train = group.find("train") or group.find(None)
    valid = group.find("validation") or group.find("test")
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
    return [f.located(job, host) for f in found]
