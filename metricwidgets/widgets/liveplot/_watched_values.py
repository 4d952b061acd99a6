"""What a watch's values are, read off its data sources: parsed from log text with steps, or
CloudWatch's published per-minute averages with no step (``--source metrics``).

The plot uses it to pick a time axis for points without steps and the header and readout
to name the values; the sources say it themselves
(:attr:`~metricwidgets.sources.base.Source.has_steps`,
:attr:`~metricwidgets.sources.base.Source.values_are`). Also read off the watch: where
relative time starts and which job of a tuning job is the best so far.
"""

from __future__ import annotations

import math
import time

__all__ = ["best_source", "has_steps", "time_origin", "values_are"]


def _sources(watch) -> list:
    return list(getattr(watch, "sources", ()) or ())


def has_steps(watch) -> bool:
    """False once every data source of ``watch`` gives points without steps of their own
    (True while it has none yet: a tuning job before its first child)."""
    sources = _sources(watch)
    return not sources or any(getattr(s, "has_steps", True) for s in sources)


def values_are(watch) -> str | None:
    """What the values are when every data source says the same (``"CloudWatch averages
    (1 min)"``), else None: values parsed from log text."""
    said = {getattr(s, "values_are", None) for s in _sources(watch)}
    return said.pop() if len(said) == 1 else None


def time_origin(watch, snapshots) -> float:
    """Relative time's zero: the earliest job start, else the earliest point, else now."""
    starts = [s.start_time for s in list(watch.statuses.values()) if s.start_time]
    if starts:
        return float(min(starts))
    firsts = [float(s.timestamp[0]) for s in snapshots
              if len(s) and math.isfinite(s.timestamp[0])]
    return min(firsts) if firsts else time.time()


def best_source(watch, snapshots):
    """A tuning job's best child: SageMaker's answer once it has one, else the child whose
    last parsed value of the tuning objective is best so far (None for other watches)."""
    status = watch.statuses.get(getattr(watch, "name", None))
    extra = (status.extra or {}) if status is not None else {}
    if extra.get("best_job"):
        return extra["best_job"]
    objective = extra.get("objective") or {}
    metric = objective.get("MetricName")
    if not metric:
        return None
    last = {}
    for snap in snapshots:
        if snap.key.metric == metric and len(snap):
            last[snap.key.source] = float(snap.value[-1])
    if not last:
        return None
    pick = max if str(objective.get("Type", "")).lower().startswith("max") else min
    return pick(last, key=last.get)
