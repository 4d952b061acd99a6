"""The store: append-only columnar series of metric points, one per (source, host, metric).

Each series keeps numpy columns (step, timestamp, value, line) that grow by doubling, so an
append costs O(1) amortised and a reader gets views of the columns without a copy. A series
also knows, kept up to date at each append in O(new points), whether its step and timestamp
columns are in order, so :meth:`SeriesSnapshot.x_range` finds the points of an x-range (a
chart's zoom) by binary search, copying nothing. Readers
(charts, exports) run on the kernel's main thread while the poller appends from its own:
appends and snapshots take one lock; a snapshot's arrays are views that later appends never
change (append-only; a grown buffer is a new array, the old one stays valid).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Iterable, NamedTuple, Sequence

import numpy as np

from metricwidgets.core.parsing import Drop, ParseResult

__all__ = ["X_MODES", "SeriesKey", "Series", "SeriesSnapshot", "MetricStore", "x_column",
           "x_range_of"]

_COLUMNS = ("step", "timestamp", "value", "line")
#: The x-axis choices: the step recovered from the log, seconds since the start, wall time.
X_MODES = ("step", "relative", "wall")


def x_column(step: np.ndarray, timestamp: np.ndarray, mode: str, origin: float = 0.0):
    """The x column for ``mode``: steps, seconds since ``origin``, or seconds since the epoch.

    A view of ``step`` or ``timestamp`` for ``step`` and ``wall``; ``relative`` makes a new
    array of the length given (pass a slice to pay only for it).

    Raises
    ------
    ValueError
        For a mode not in :data:`X_MODES`.
    """
    if mode == "step":
        return step
    if mode == "relative":
        return timestamp - origin
    if mode == "wall":
        return timestamp
    raise ValueError(f"x mode must be one of {X_MODES}, got {mode!r}")


def x_range_of(column: np.ndarray, in_order: bool, lo: float | None, hi: float | None):
    """The points of ``column`` with ``lo <= x <= hi`` (None: open), widened by one point
    each side: a slice by binary search when ``in_order``, else the indices inside (NaN
    left out). See :meth:`SeriesSnapshot.x_range`."""
    n = len(column)
    if in_order:
        start = 0 if lo is None else int(np.searchsorted(column, lo, side="left"))
        stop = n if hi is None else int(np.searchsorted(column, hi, side="right"))
        return slice(max(start - 1, 0), min(max(stop, start) + 1, n))
    keep = np.isfinite(column)
    if lo is not None:
        keep &= column >= lo
    if hi is not None:
        keep &= column <= hi
    return np.flatnonzero(keep)


def _in_order(column: np.ndarray, before: float) -> bool:
    """Whether ``column`` is non-decreasing and starts at or after ``before`` (False for a
    NaN anywhere: it has no place in an order)."""
    if len(column) == 0:
        return True
    return bool(column[0] >= before and np.all(column[1:] >= column[:-1]))


class SeriesKey(NamedTuple):
    """Identifies one series: where it came from, which host, which metric."""

    source: str
    host: str
    metric: str


@dataclass(frozen=True)
class SeriesSnapshot:
    """Read-only views of one series' columns at one moment (length ``n``).

    Attributes
    ----------
    step, timestamp, value : numpy.ndarray of float64
        ``timestamp`` is seconds since the epoch (NaN when unknown).
    line : numpy.ndarray of int64
        1-based log line (-1 for points not parsed from a log, such as CloudWatch metrics).
    marks : tuple of Drop
        NaN / infinite / out-of-range captures, where a chart marks them.
    step_sorted, timestamp_sorted : bool
        Whether that column is non-decreasing (no NaN): then :meth:`x_range` bisects it.
    """

    key: SeriesKey
    step: np.ndarray
    timestamp: np.ndarray
    value: np.ndarray
    line: np.ndarray
    marks: tuple
    step_sorted: bool = False
    timestamp_sorted: bool = False

    def __len__(self) -> int:
        return len(self.value)

    def x_sorted(self, mode: str) -> bool:
        """Whether the x column of ``mode`` is in order (relative time is wall time moved)."""
        return self.step_sorted if mode == "step" else self.timestamp_sorted

    def x_range(self, mode: str, lo: float | None = None, hi: float | None = None,
                origin: float = 0.0):
        """The points with ``lo <= x <= hi`` in x ``mode``, widened by one point each side
        (so a line drawn from them reaches the range's edges).

        Parameters
        ----------
        mode : str
            One of :data:`X_MODES`.
        lo, hi : float or None
            The range in the mode's units (seconds since ``origin`` for ``relative``, since
            the epoch for ``wall``); None is open.
        origin : float
            Where relative time counts from.

        Returns
        -------
        slice or numpy.ndarray of int64
            A slice found by binary search when the column is in order (O(log n), nothing
            copied); else the sorted indices of the points inside (O(n)), points without a
            usable x (NaN time) left out.

        Raises
        ------
        ValueError
            For a mode not in :data:`X_MODES`.
        """
        column = self.step if mode == "step" else self.timestamp
        x_column(column[:0], column[:0], mode)  # the mode is checked before anything else
        shift = origin if mode == "relative" else 0.0
        return x_range_of(column, self.x_sorted(mode), None if lo is None else lo + shift,
                          None if hi is None else hi + shift)


class Series:
    """One growing series. Not thread-safe on its own: :class:`MetricStore` locks it."""

    def __init__(self, key: SeriesKey, capacity: int = 256):
        self.key = key
        self.n = 0
        self._step = np.empty(capacity, np.float64)
        self._timestamp = np.empty(capacity, np.float64)
        self._value = np.empty(capacity, np.float64)
        self._line = np.empty(capacity, np.int64)
        self.marks: list[Drop] = []
        self._last_line = -1
        self._last_timestamp = -math.inf
        self._step_sorted = self._timestamp_sorted = True

    def _reserve(self, extra: int) -> None:
        need = self.n + extra
        capacity = len(self._value)
        if need <= capacity:
            return
        while capacity < need:
            capacity *= 2
        for name in ("_step", "_timestamp", "_value", "_line"):
            old = getattr(self, name)
            new = np.empty(capacity, old.dtype)
            new[: self.n] = old[: self.n]
            setattr(self, name, new)

    def append(self, step, timestamp, value, line) -> int:
        """Append points, dropping any already held; return how many were added.

        De-duplication: points parsed from a log carry strictly increasing line numbers in
        their series, so a point whose line is not past the last one is a re-delivery.
        Points without a line (``line < 0``: CloudWatch metrics) are de-duplicated on their
        timestamp the same way.
        """
        value = np.asarray(value, np.float64)
        step = np.asarray(step, np.float64)
        timestamp = np.asarray(timestamp, np.float64)
        line = np.asarray(line, np.int64)
        if len(value) == 0:
            return 0
        from_log = line >= 0
        keep = np.where(from_log, line > self._last_line, timestamp > self._last_timestamp)
        if not keep.all():
            step, timestamp, value, line = step[keep], timestamp[keep], value[keep], line[keep]
            from_log = from_log[keep]
        count = len(value)
        if count == 0:
            return 0
        self._reserve(count)
        n = self.n
        # Points with no step of their own are numbered by their index in the series.
        step = np.where(np.isnan(step), np.arange(n, n + count, dtype=np.float64), step)
        if self._step_sorted:
            self._step_sorted = _in_order(step, self._step[n - 1] if n else -math.inf)
        if self._timestamp_sorted:
            self._timestamp_sorted = _in_order(
                timestamp, self._timestamp[n - 1] if n else -math.inf)
        self._step[n : n + count] = step
        self._timestamp[n : n + count] = timestamp
        self._value[n : n + count] = value
        self._line[n : n + count] = line
        self.n = n + count
        if from_log.any():
            self._last_line = int(line[from_log][-1])
        if (~from_log).any():
            self._last_timestamp = float(np.nanmax(timestamp[~from_log]))
        return count

    def snapshot(self) -> SeriesSnapshot:
        n = self.n
        views = []
        for name in ("_step", "_timestamp", "_value", "_line"):
            view = getattr(self, name)[:n]
            view.flags.writeable = False
            views.append(view)
        return SeriesSnapshot(self.key, *views, tuple(self.marks), self._step_sorted,
                              self._timestamp_sorted)


class MetricStore:
    """All series of one watcher (or of one analysis), thread-safe.

    Attributes
    ----------
    version : int
        Grows by one with every call that adds something; a chart redraws when it changed.
    """

    def __init__(self):
        self._lock = threading.RLock()
        self._series: dict[SeriesKey, Series] = {}
        self.version = 0

    def _get(self, key: SeriesKey) -> Series:
        series = self._series.get(key)
        if series is None:
            series = self._series[key] = Series(key)
        return series

    def add_points(self, key: SeriesKey, step, timestamp, value, line=None) -> int:
        """Append points to one series; return how many were new."""
        value = np.asarray(value, np.float64)
        if line is None:
            line = np.full(len(value), -1, np.int64)
        with self._lock:
            added = self._get(key).append(step, timestamp, value, line)
            if added:
                self.version += 1
            return added

    def add_result(self, source: str, host: str, names: Sequence[str],
                   result: ParseResult) -> int:
        """Append a parser's result; ``names[i]`` is the name of definition ``i``.

        Returns the number of new points. Marks (NaN/Inf drops) are kept with their series.
        """
        added = 0
        with self._lock:
            if len(result):
                order = np.argsort(result.metric, kind="stable")
                metric = result.metric[order]
                bounds = np.flatnonzero(np.diff(metric)) + 1
                for chunk in np.split(order, bounds):
                    index = int(result.metric[chunk[0]])
                    added += self._get(SeriesKey(source, host, names[index])).append(
                        result.step[chunk], result.timestamp[chunk], result.value[chunk],
                        result.line[chunk])
            for drop in result.drops:
                self._get(SeriesKey(source, host, names[drop.metric])).marks.append(drop)
            if added or result.drops:
                self.version += 1
        return added

    def keys(self) -> list[SeriesKey]:
        """Every series key, in the order the series appeared."""
        with self._lock:
            return list(self._series)

    def metrics(self) -> list[str]:
        """The distinct metric names, in the order they appeared."""
        return list(dict.fromkeys(key.metric for key in self.keys()))

    def snapshot(self, key: SeriesKey) -> SeriesSnapshot:
        """Views of one series as it is now (raises KeyError for an unknown key)."""
        with self._lock:
            return self._series[key].snapshot()

    def x_range(self, key: SeriesKey, mode: str, lo: float | None = None,
                hi: float | None = None, origin: float = 0.0) -> SeriesSnapshot:
        """The points of one series inside an x-range, as a snapshot of views (see
        :meth:`SeriesSnapshot.x_range`; an unsorted column's points are copied, only those
        inside). Its ``marks`` are the captures inside the range too.

        Raises
        ------
        KeyError
            For an unknown key.
        ValueError
            For a mode not in :data:`X_MODES`.
        """
        snap = self.snapshot(key)
        pick = snap.x_range(mode, lo, hi, origin)
        marks = tuple(d for d in snap.marks if _between(d, mode, lo, hi, origin))
        step, timestamp = snap.step[pick], snap.timestamp[pick]
        if isinstance(pick, slice):
            in_order = snap.step_sorted, snap.timestamp_sorted
        else:
            in_order = _in_order(step, -math.inf), _in_order(timestamp, -math.inf)
        return SeriesSnapshot(key, step, timestamp, snap.value[pick], snap.line[pick], marks,
                              *in_order)

    def snapshots(self, keys: Iterable[SeriesKey] | None = None) -> list[SeriesSnapshot]:
        """Snapshots of the given keys (all when None), taken under one lock."""
        with self._lock:
            keys = list(self._series) if keys is None else list(keys)
            return [self._series[k].snapshot() for k in keys if k in self._series]

    def __len__(self) -> int:
        """Total number of points held."""
        with self._lock:
            return sum(s.n for s in self._series.values())

    def to_dataframe(self):
        """Every point at full resolution as a pandas DataFrame.

        Columns: ``timestamp`` (UTC ``datetime64``, NaT when unknown), ``source``, ``host``,
        ``metric``, ``value``, ``step``, ``line``. Rows are grouped by series, in order.
        """
        import pandas as pd  # pandas is only needed by exports; keep the core import light

        frames = []
        for snap in self.snapshots():
            frames.append(pd.DataFrame({
                "timestamp": pd.to_datetime(snap.timestamp, unit="s", utc=True),
                "source": snap.key.source,
                "host": snap.key.host,
                "metric": snap.key.metric,
                "value": np.array(snap.value),
                "step": np.array(snap.step),
                "line": np.array(snap.line),
            }))
        if not frames:
            return pd.DataFrame({
                "timestamp": pd.Series([], dtype="datetime64[ns, UTC]"),
                "source": pd.Series([], dtype=object), "host": pd.Series([], dtype=object),
                "metric": pd.Series([], dtype=object), "value": pd.Series([], dtype=float),
                "step": pd.Series([], dtype=float), "line": pd.Series([], dtype="int64")})
        return pd.concat(frames, ignore_index=True)

    def to_csv(self, path_or_buf=None) -> str | None:
        """Write :meth:`to_dataframe` as CSV (timestamps ISO-8601 UTC); return the text when
        ``path_or_buf`` is None."""
        frame = self.to_dataframe()
        frame["timestamp"] = frame["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return frame.to_csv(path_or_buf, index=False)


def _between(drop, mode: str, lo, hi, origin: float) -> bool:
    """Whether a capture (NaN/Inf mark) lies in the x-range; one without a step (NaN) is
    kept in step mode, where the chart places it beside its neighbour."""
    x = float(x_column(np.float64(drop.step), np.float64(drop.timestamp), mode, origin))
    if x != x:
        return mode == "step"
    return (lo is None or x >= lo) and (hi is None or x <= hi)
