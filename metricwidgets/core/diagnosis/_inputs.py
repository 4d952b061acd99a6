"""``metricwidgets.diagnose(data)``: every finding of a plot, a store or a DataFrame.

One function for every door: the chart marks what :func:`diagnose_group` finds on its
series, the CLI prints what :func:`diagnose` finds on a parsed log or a fetched job, and a
notebook calls :func:`diagnose` on a ``LivePlot`` or on a DataFrame from ``to_dataframe()``,
``fetch_job_metrics()`` or ``parse_log()``. Metrics are paired into charts by
:func:`~metricwidgets.core.pairing.group_metrics` (train with validation), per job and host.
No widget import: a ``LivePlot`` is recognised by its ``watch.store``.
"""

from __future__ import annotations

import math

import numpy as np

from metricwidgets.core.diagnosis._detectors import SeriesData, diagnose_group
from metricwidgets.core.diagnosis._findings import Finding, merge_findings
from metricwidgets.core.diagnosis._stall import stall_findings
from metricwidgets.core.pairing import group_metrics
from metricwidgets.errors import InputError

__all__ = ["diagnose", "diagnose_frame", "diagnose_series", "diagnose_store", "series_data",
           "snapshot_stalls"]


def series_data(snapshot) -> SeriesData:
    """What a diagnosis reads of a store snapshot: its points and its NaN/Inf captures.

    A capture without a step takes the step of the last point at or before its log line
    (as the chart marks it).
    """
    def step_of(drop) -> float:
        if not math.isnan(drop.step) or not len(snapshot.line):
            return drop.step
        i = int(np.searchsorted(snapshot.line, drop.line, side="right")) - 1
        return float(snapshot.step[max(i, 0)])

    nonfinite = [(step_of(d), d.line, "nan" if math.isnan(d.value) else
                  ("+inf" if d.value > 0 else "-inf")) for d in snapshot.marks]
    return SeriesData(snapshot.step, snapshot.value, nonfinite, snapshot.timestamp)


def diagnose_series(owners: dict, directions=None, now: float | None = None,
                    running=()) -> list[Finding]:
    """Every finding of ``owners`` ((job, host) -> {metric: SeriesData}), errors first;
    a stall where the series carry times (a silence only for jobs in ``running`` as of
    ``now``, epoch seconds: see :mod:`metricwidgets.core.diagnosis._stall`)."""
    found: list[Finding] = []
    for (job, host), series in owners.items():
        for group in group_metrics(list(series), directions):
            found.extend(diagnose_group(group, series, job, host))
    found.extend(stall_findings(owners, now, running))
    return merge_findings(found)


def diagnose_store(store, directions=None, hidden_sources=(), now: float | None = None,
                   running=()) -> list[Finding]:
    """Every finding of a :class:`~metricwidgets.core.store.MetricStore`'s series (``now``
    and ``running``: as for :func:`diagnose_series`)."""
    owners: dict = {}
    for snap in store.snapshots():
        key = snap.key
        if key.source in hidden_sources:
            continue
        owners.setdefault((key.source, key.host), {})[key.metric] = series_data(snap)
    return diagnose_series(owners, directions, now, running)


def snapshot_stalls(snapshots, hidden_sources=(), now: float | None = None,
                    running=()) -> list[Finding]:
    """The stalls of store snapshots (one per job and host; ``now`` and ``running`` as for
    :func:`diagnose_series`): what a chart lists beside its curves' diagnoses."""
    owners: dict = {}
    for snap in snapshots:
        if snap.key.source not in hidden_sources:
            owners.setdefault((snap.key.source, snap.key.host), {})[snap.key.metric] = \
                series_data(snap)
    return stall_findings(owners, now, running)


def diagnose_frame(frame, directions=None) -> list[Finding]:
    """Every finding of a DataFrame with columns ``metric``, ``value`` and ``step`` (and
    optionally ``source``/``job`` and ``host``). Rows are read in the frame's order; NaN or
    infinite values count as NaN/Inf captures."""
    missing = [c for c in ("metric", "value", "step") if c not in frame.columns]
    if missing:
        raise InputError(f"cannot diagnose a DataFrame without column(s) {', '.join(missing)} "
                         f"(it has {', '.join(map(str, frame.columns)) or 'none'})")
    job_column = "source" if "source" in frame.columns else "job" if "job" in frame.columns else None
    keys = [frame[job_column] if job_column else "", frame["host"] if "host" in frame.columns else ""]
    work = frame.assign(_job=keys[0], _host=keys[1], _time=_seconds(frame))
    owners: dict = {}
    for (job, host, metric), rows in work.groupby(["_job", "_host", "metric"], sort=False):
        step = rows["step"].to_numpy(np.float64)
        value = rows["value"].to_numpy(np.float64)
        bad = ~np.isfinite(value)
        nonfinite = [(float(s), -1, "nan" if math.isnan(v) else ("+inf" if v > 0 else "-inf"))
                     for s, v in zip(step[bad], value[bad])]
        time = rows["_time"].to_numpy(np.float64)
        owners.setdefault((str(job), str(host)), {})[str(metric)] = SeriesData(
            step[~bad], value[~bad], nonfinite, time[~bad])
    return diagnose_series(owners, directions)


def _seconds(frame) -> np.ndarray:
    """A frame's ``timestamp`` column as epoch seconds (NaN when unknown or absent)."""
    if "timestamp" not in frame.columns:
        return np.full(len(frame), np.nan)
    column = frame["timestamp"]
    if column.dtype.kind in "iuf":
        return column.to_numpy(np.float64)
    import pandas as pd

    stamps = pd.to_datetime(column, utc=True, errors="coerce")
    return (stamps - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy(np.float64)


def diagnose(data, directions=None) -> list[Finding]:
    """Every finding (overfitting, divergence, NaN/Inf, plateau) of ``data``; for a plot,
    its instances' too (idle GPU, memory or disk nearly full).

    Parameters
    ----------
    data : LivePlot, MetricStore or pandas.DataFrame
        A plot (its store is read as it is now, with the plot's directions), a store, or a
        DataFrame from ``to_dataframe()``, ``fetch_job_metrics()`` or ``parse_log()``.
    directions : mapping of str to str, optional
        ``{"error": "higher"}`` overrides, by metric name or quantity.

    Returns
    -------
    list of Finding
        Errors first, then warnings, then information; each with ``kind``, ``metric``,
        ``job``, ``host``, ``step`` (where it began), ``value``, ``text`` and ``severity``.

    Raises
    ------
    InputError
        For anything else, or a DataFrame without the columns above.
    """
    watch = getattr(data, "watch", None)
    if watch is not None and hasattr(watch, "store"):
        merged = dict(getattr(data, "directions", None) or {}, **dict(directions or {}))
        found = diagnose_store(watch.store, merged or None)
        # A plot's instances panel adds its utilization findings (idle GPU, memory full).
        panel = getattr(data, "instances", None)
        if panel is not None and hasattr(panel, "diagnose"):
            found = merge_findings(found, panel.diagnose())
        return found
    if hasattr(data, "snapshots") and hasattr(data, "metrics"):
        return diagnose_store(data, directions)
    if hasattr(data, "columns") and hasattr(data, "groupby"):
        return diagnose_frame(data, directions)
    raise InputError(f"cannot diagnose a {type(data).__name__}: give a LivePlot, a MetricStore "
                     "or a DataFrame with metric, value and step columns")
