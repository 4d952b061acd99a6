"""Stall: the run got slow, or went silent, read from the log's own timestamps.

Two ways a job burns money without making progress, both measured against the run's *own*
pace (no absolute speed is assumed):

- **slowdown** (:func:`detect_slowdown`): the time per step (or per point, when steps do not
  grow) has risen to ``FACTOR`` times its usual level and stayed up to the end, for a
  sustained stretch: the stretch's median pace is at least ``FACTOR`` x the median pace
  before it, and the running median of ``WINDOW`` paces never dips back below ``FLOOR`` x
  that usual pace, over at least ``SUSTAIN`` paces (or ``SUSTAIN_SHARE`` of them) and
  ``MIN_STALL_SECONDS``. One long pause (an evaluation, a
  checkpoint) moves no median of five; a warm-up's slow first steps only raise the level.
- **silence** (:func:`detect_silence`): no new point for ``SILENCE_FACTOR`` x the usual
  interval between points, and at least twice the longest gap the run has shown so far
  (an evaluation pass that always takes a minute is not a hang), and ``MIN_SILENCE_SECONDS``.
  Only meaningful while the job still runs, so the caller says ``now``; and only once
  points have arrived at ``MIN_BASE`` + 1 different moments (a log read at once has no pace).

Both give a finding of kind ``stall``, severity ``warning``: the job is not wrong, it is slow
(``metricwidgets watch --stop-on stall`` may stop it, on the user's say-so). Timestamps read
in chunks (a local process whose output is buffered: many lines, one time) give paces of 0;
when the usual pace is 0 nothing is called. Pure numpy: thread-safe.
"""

from __future__ import annotations

import bisect
import math

import numpy as np

from metricwidgets.core.diagnosis._findings import Finding
from metricwidgets.core.diagnosis._numbers import plain_number

__all__ = ["detect_silence", "detect_slowdown", "paces", "stall_findings"]

#: "Clearly above its running level": this many times the usual pace.
FACTOR = 2.0
#: No running median of the stretch may dip below this many times the usual pace.
FLOOR = 1.5
#: Paces in the running median.
WINDOW = 5
#: Paces that make a usual level before a stretch can be called.
MIN_BASE = 10
#: The slow stretch: at least this many paces...
SUSTAIN = 10
#: ...or this share of them, when more...
SUSTAIN_SHARE = 0.1
#: ...and this many seconds.
MIN_STALL_SECONDS = 30.0
#: Silence: this many usual intervals without a point...
SILENCE_FACTOR = 20.0
#: ...and at least this many seconds.
MIN_SILENCE_SECONDS = 300.0
#: Longer series are judged on medians of blocks of paces (a bounded cost per call).
MAX_PACES = 4096


def _fmt(seconds: float) -> str:
    return f"{plain_number(seconds, 3)} s"


def paces(step: np.ndarray, time: np.ndarray) -> tuple[np.ndarray, np.ndarray, str]:
    """Seconds per step between consecutive points (``"step"``), or seconds per point when
    the steps do not grow (``"point"``), with the index of the point each pace ends at."""
    step = np.asarray(step, np.float64)
    time = np.asarray(time, np.float64)
    keep = np.flatnonzero(np.isfinite(step) & np.isfinite(time))
    if len(keep) < 2:
        return np.empty(0), np.empty(0, np.int64), "point"
    ds, dt = np.diff(step[keep]), np.diff(time[keep])
    ends = keep[1:]
    if np.mean(ds > 0) >= 0.9:
        grows = ds > 0
        return dt[grows] / ds[grows], ends[grows], "step"
    return dt, ends, "point"


def _blocks(values: np.ndarray, ends: np.ndarray):
    if len(values) <= MAX_PACES:
        return values, ends
    size = math.ceil(len(values) / MAX_PACES)
    whole = len(values) // size * size
    return (np.median(values[:whole].reshape(-1, size), axis=1), ends[size - 1:whole:size])


def _expanding_medians(values: np.ndarray) -> np.ndarray:
    """Entry j: the median of ``values[:j]`` (NaN for j = 0)."""
    out = np.full(len(values) + 1, np.nan)
    seen: list[float] = []
    for j, v in enumerate(values.tolist()):
        bisect.insort(seen, v)
        k = len(seen)
        out[j + 1] = seen[k // 2] if k % 2 else 0.5 * (seen[k // 2 - 1] + seen[k // 2])
    return out


def detect_slowdown(metric: str, step, time, value=None) -> Finding | None:
    """A sustained slowdown lasting to the last point, or None (the module's rule)."""
    pace, ends, unit = paces(step, time)
    pace, ends = _blocks(pace, ends)
    n = len(pace)
    sustain = max(SUSTAIN, math.ceil(SUSTAIN_SHARE * n))
    if n < MIN_BASE + sustain:
        return None
    windows = np.lib.stride_tricks.sliding_window_view(pace, WINDOW)
    smooth = np.median(windows, axis=1)  # entry i: the WINDOW paces ending at i + WINDOW - 1
    lowest_after = np.minimum.accumulate(smooth[::-1])[::-1]
    base = _expanding_medians(pace)
    time = np.asarray(time, np.float64)
    for j in range(MIN_BASE, n - sustain + 1):
        usual = base[j]
        if not usual > 0 or lowest_after[j] < FLOOR * usual:
            continue
        if np.median(pace[j:]) < FACTOR * usual:
            continue
        # The stretch's first window may start on a usual pace or two: begin at the first slow.
        j += int(np.argmax(pace[j:] >= FLOOR * usual))
        first = int(ends[j]) - 1  # the point the first slow pace starts from
        if time[int(ends[-1])] - time[first] < MIN_STALL_SECONDS:
            return None
        now = float(np.median(pace[j:]))
        steps = np.asarray(step, np.float64)
        each = "each step" if unit == "step" else f"each {metric} point"
        text = (f"stall: {each} takes {_fmt(now)} since step {plain_number(steps[first])}, "
                f"{plain_number(now / usual, 3)} times its usual {_fmt(usual)} ({n - j} in a row)")
        at = float(np.asarray(value, np.float64)[first]) if value is not None else math.nan
        return Finding("stall", metric, float(steps[first]), at, text, "warning",
                       details={"usual": float(usual), "now": now, "ratio": now / usual})
    return None


def detect_silence(metric: str, step, time, now: float, value=None) -> Finding | None:
    """No new point for a long time (the module's rule) as of ``now`` (epoch seconds), or
    None. Call it only while the job still runs."""
    time = np.asarray(time, np.float64)
    keep = np.flatnonzero(np.isfinite(time))
    # Points that all arrived at a few moments (a file read at once) show no pace to miss.
    if len(np.unique(time[keep])) < MIN_BASE + 1:
        return None
    gaps = np.diff(time[keep])
    usual = float(np.median(gaps))
    last = int(keep[-1])
    quiet = now - float(time[last])
    if quiet < max(SILENCE_FACTOR * usual, 2.0 * float(gaps.max()), MIN_SILENCE_SECONDS):
        return None
    at_step = float(np.asarray(step, np.float64)[last])
    usually = f"usually every {_fmt(usual)}" if usual > 0 else "usually several at a time"
    text = (f"stall: no new {metric} point for {_fmt(quiet)} while the job runs ({usually}; "
            f"last at step {plain_number(at_step)})")
    at = float(np.asarray(value, np.float64)[last]) if value is not None else math.nan
    return Finding("stall", metric, at_step, at, text, "warning",
                   details={"usual": usual, "quiet": quiet})


def stall_findings(owners: dict, now: float | None = None, running=()) -> list[Finding]:
    """The stall of each (job, host) in ``owners`` ((job, host) -> {metric: SeriesData with
    ``time``}), judged on its series with the most timed points: a slowdown, else (for a
    job in ``running``, as of ``now``) a silence. At most one finding per job and host."""
    found = []
    for (job, host), series in owners.items():
        timed = {m: d for m, d in series.items() if getattr(d, "time", None) is not None
                 and len(d.time)}
        if not timed:
            continue
        metric = max(timed, key=lambda m: int(np.isfinite(timed[m].time).sum()))
        data = timed[metric]
        finding = detect_slowdown(metric, data.step, data.time, data.value)
        if finding is None and now is not None and job in running:
            finding = detect_silence(metric, data.step, data.time, now, data.value)
        if finding is not None:
            found.append(finding.located(job, host))
    return found
