"""What a chart needs from a series: the visible, downsampled, smoothed points.

Pure numpy (plus ``tsdownsample`` for the min/max buckets); no widget code. A chart asks
:func:`series_view` for each series it draws and sends the result to the browser, so one
update costs O(what is visible), never O(the series):

- x as ``step`` (default), ``relative`` time (seconds since an origin) or ``wall`` time
  (seconds since the epoch);
- only the points inside the visible x-range (plus one on each side, so the line reaches the
  edges), reduced to about two points per pixel by keeping the min and the max of each
  bucket, so a spike never vanishes;
- a debiased exponential moving average (TensorBoard's smoothing), kept incrementally per
  series by :class:`SeriesCache`, so an append costs O(new points);
- a y-range that ignores outliers, and log-y safety (values <= 0 cannot be drawn); where the
  NaN / infinite captures happened is :mod:`~metricwidgets.widgets.liveplot._mark_points`.

Thread-safety: the functions are pure. A :class:`SeriesCache` belongs to one chart and must be
used by one thread at a time (the chart serialises its redraws).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np

from metricwidgets.core.store import X_MODES, x_column, x_range_of

__all__ = [
    "X_MODES", "DEFAULT_SMOOTHING", "MAX_SMOOTHING", "SeriesCache", "SeriesView",
    "ema", "x_values", "visible_bounds", "downsample_indices", "y_range", "log_safe",
    "series_view", "points_for_width", "sorted_unique", "even_pick",
]

#: TensorBoard's default smoothing weight, and the slider's end.
DEFAULT_SMOOTHING = 0.6
MAX_SMOOTHING = 0.999
#: Points drawn per pixel of plot width (a min and a max per bucket).
POINTS_PER_PIXEL = 2
#: Points per block whose min and max a series cache keeps: a wide view is downsampled from
#: these (about 2/BLOCK of the points) instead of from every point.
BLOCK = 256
#: Keeps ``w ** -block`` below this so the blocked EMA never overflows float64.
_MAX_GROWTH_LOG10 = 150.0


def points_for_width(width_px: int) -> int:
    """How many points to draw across ``width_px`` pixels (two per pixel, at least 16)."""
    return max(16, int(width_px) * POINTS_PER_PIXEL)


# --------------------------------------------------------------------------- smoothing
def _ema_finite(values: np.ndarray, weight: float, state: float, count: int):
    """EMA of finite ``values`` continuing from ``(state, count)``; returns
    ``(smoothed, state, count)``.

    Vectorised in blocks: inside a block of length B, ``s_i = w^i (s_0 + (1-w) sum_k w^-k x_k)``
    with ``w^-B`` bounded, so the cumulative sum never overflows and keeps full precision
    relative to the values.
    """
    n = len(values)
    out = np.empty(n, np.float64)
    if n == 0:
        return out, state, count
    if weight < 1e-6:
        # The average is the latest value to within 1e-6; w^-k would overflow instead.
        out[:] = values
        return out, float(values[-1]), count + n
    block = max(1, min(1024, int(_MAX_GROWTH_LOG10 / -math.log10(weight))))
    powers = weight ** np.arange(1, block + 1, dtype=np.float64)
    inverse = 1.0 / powers
    for start in range(0, n, block):
        chunk = values[start:start + block]
        m = len(chunk)
        p = powers[:m]
        acc = p * (state + (1.0 - weight) * np.cumsum(chunk * inverse[:m]))
        # Debias (TensorBoard): divide by 1 - w^t, t = points seen so far.
        t = count + np.arange(1, m + 1, dtype=np.float64)
        out[start:start + m] = acc / (1.0 - weight ** t)
        state = float(acc[-1])
        count += m
    return out, state, count


def ema(values: Sequence[float], weight: float = DEFAULT_SMOOTHING) -> np.ndarray:
    """Debiased exponential moving average, as TensorBoard smooths scalars.

    ``last = w*last + (1-w)*x`` and ``smoothed = last / (1 - w**t)`` with ``t`` the count of
    finite values so far. A NaN or infinite value is passed through unchanged and does not
    enter the average. ``weight`` 0 returns the values.

    Parameters
    ----------
    values : array-like of float
    weight : float in [0, 1)

    Raises
    ------
    ValueError
        When ``weight`` is outside [0, 1).
    """
    values = np.asarray(values, np.float64)
    if not 0.0 <= weight < 1.0:
        raise ValueError(f"smoothing weight must be in [0, 1), got {weight}")
    if weight == 0.0:
        return values.copy()
    out = values.copy()
    finite = np.isfinite(values)
    out[finite] = _ema_finite(values[finite], weight, 0.0, 0)[0]
    return out


class SeriesCache:
    """Per-series state a chart keeps between updates (one thread at a time).

    Holds the smoothed values computed so far (extended by O(new points) when the series
    grows; recomputed when the weight changes) and whether each x column is sorted (so the
    visible range is found by binary search).
    """

    def __init__(self):
        self._weight: float | None = None
        self._smoothed = np.empty(0, np.float64)
        self._buffer = np.empty(0, np.float64)
        self._state = 0.0
        self._count = 0
        self._sorted: dict[str, tuple[int, bool]] = {}
        self._finite: dict[str, tuple[int, bool]] = {}
        self._extremes = np.empty(0, np.int64)

    def smoothed(self, values: np.ndarray, weight: float) -> np.ndarray:
        """The debiased EMA of ``values`` (an append-only series), reusing earlier work."""
        n = len(values)
        if weight != self._weight or n < len(self._smoothed):
            self._weight = weight
            self._smoothed = np.empty(0, np.float64)
            self._buffer = np.empty(0, np.float64)
            self._state, self._count = 0.0, 0
        done = len(self._smoothed)
        if n == done:
            return self._smoothed
        new = np.asarray(values[done:n], np.float64)
        if weight == 0.0:
            part = new.copy()
        else:
            part = new.copy()
            finite = np.isfinite(new)
            part[finite], self._state, self._count = _ema_finite(
                new[finite], weight, self._state, self._count)
        if n > len(self._buffer):
            # Grow by doubling: an append costs O(new points) amortised, not a full copy.
            buffer = np.empty(max(n, 2 * len(self._buffer), 1024), np.float64)
            buffer[:done] = self._smoothed
            self._buffer = buffer
        self._buffer[done:n] = part
        self._smoothed = self._buffer[:n]
        return self._smoothed

    def block_extremes(self, value: np.ndarray) -> np.ndarray:
        """Sorted indices of the min and the max of every complete block of
        :data:`BLOCK` points of ``value`` (append-only, all finite), kept incrementally:
        an append costs O(new points)."""
        n_blocks = len(value) // BLOCK
        done = len(self._extremes) // 2
        if n_blocks < done:
            self._extremes, done = np.empty(0, np.int64), 0
        if n_blocks > done:
            part = value[done * BLOCK:n_blocks * BLOCK].reshape(-1, BLOCK)
            base = np.arange(done, n_blocks, dtype=np.int64) * BLOCK
            lo = base + np.argmin(part, axis=1)
            hi = base + np.argmax(part, axis=1)
            new = np.sort(np.stack([lo, hi], axis=1), axis=1).ravel()
            self._extremes = np.concatenate([self._extremes, new])
        return self._extremes

    @staticmethod
    def _holds_so_far(cache: dict, key: str, column: np.ndarray, overlap: int, check) -> bool:
        """Whether ``check`` holds on all of an append-only ``column``, checking only the
        points added since the last call (plus ``overlap`` earlier ones); a shorter column
        than last time (a new series) starts over."""
        n = len(column)
        done, ok = cache.get(key, (0, True))
        if n < done:
            done, ok = 0, True
        if ok and n > done:
            ok = bool(check(column[max(done - overlap, 0):n]))
        cache[key] = (n, ok)
        return ok

    def all_finite(self, column: np.ndarray, name: str) -> bool:
        """True when every value of ``column`` (append-only) is finite; checks new points only."""
        return self._holds_so_far(self._finite, name, column, 0,
                                  lambda part: np.isfinite(part).all())

    def is_sorted(self, x: np.ndarray, mode: str) -> bool:
        """True when ``x`` (an append-only column) is non-decreasing; checks new points only."""
        # One point of overlap: the first new point must not be below the last old one.
        return self._holds_so_far(self._sorted, mode, x, 1,
                                  lambda part: np.all(part[1:] >= part[:-1]))


# --------------------------------------------------------------------------- x and range
#: The x column of a mode (the store's :func:`~metricwidgets.core.store.x_column`).
x_values = x_column


def visible_bounds(x: np.ndarray, lo: float | None, hi: float | None, is_sorted: bool):
    """Indices of the points with ``lo <= x <= hi``, widened by one point on each side.

    Returns ``(start, stop)`` (a slice) for a sorted ``x``, else an index array.
    ``None`` bounds are open. (The store's :meth:`~metricwidgets.core.store.SeriesSnapshot.x_range`
    on an x column given as is.)
    """
    pick = x_range_of(x, is_sorted, lo, hi)
    return (pick.start, pick.stop) if isinstance(pick, slice) else pick


def sorted_unique(index) -> np.ndarray:
    """The distinct values of an integer array, sorted, as int64: ``np.unique`` without
    its hash table (numpy 2.4's took ~110 us of CPU on a view's ~2,000 indices, a sort and
    a compare ~10 us; a refresh needs it a few times per series)."""
    index = np.sort(np.asarray(index).astype(np.int64, copy=False))
    return index[np.concatenate(([True], index[1:] != index[:-1]))] if len(index) else index


def downsample_indices(x: np.ndarray, y: np.ndarray, n_out: int,
                       is_sorted: bool = True, finite: bool | None = None) -> np.ndarray:
    """Indices of at most about ``n_out`` points keeping each bucket's min and max.

    Buckets are equal x-widths when ``x`` is sorted, else equal counts. First and last
    points are always kept. Non-finite ``y`` is left out of the buckets, so a NaN never
    hides a bucket's extremes, and kept beside them (every one, or when there are more than
    ``n_out / 4``, the first in each of ``n_out / 4`` stretches), so the line breaks there.

    ``finite`` says whether every ``y`` is finite when the caller knows (else it is checked).

    Returns
    -------
    numpy.ndarray of int64, sorted
    """
    n = len(y)
    if n <= n_out:
        return np.arange(n, dtype=np.int64)

    from tsdownsample import MinMaxDownsampler

    n_out = max(4, n_out - n_out % 2)  # the min/max downsampler wants an even count
    keep = None
    if finite is None:
        finite = bool(np.isfinite(y).all())
    gaps = np.empty(0, np.int64)
    if not finite:
        # Buckets are made of the drawable points only (a NaN must not win a bucket); the
        # NaN/infinite values are kept apart so the line still breaks where they are.
        drawable = np.isfinite(y)
        keep = np.flatnonzero(drawable)
        gaps = _spread(np.flatnonzero(~drawable), n, max(1, n_out // 4))
        if len(keep) <= n_out:
            return sorted_unique(np.concatenate(([0], keep, gaps, [n - 1])))
        x, y = x[keep], y[keep]
    # The first and last points are drawn anyway: the buckets share out the ones between,
    # so every view draws the same count (a zoom never draws fewer than the whole curve).
    last = len(y) - 1
    inner_x, inner_y = np.ascontiguousarray(x[1:last]), np.ascontiguousarray(y[1:last])
    sampler = MinMaxDownsampler()
    if is_sorted and np.isfinite(x[0]) and np.isfinite(x[-1]) and x[-1] > x[0]:
        index = sampler.downsample(inner_x, inner_y, n_out=n_out)
    else:
        index = sampler.downsample(inner_y, n_out=n_out)
    index = np.concatenate(([0], np.asarray(index, np.int64) + 1, [last]))
    if keep is not None:
        index = keep[index]
    return sorted_unique(np.concatenate(([0], index, gaps, [n - 1])))


def _spread(index: np.ndarray, n: int, count: int) -> np.ndarray:
    """``index`` (sorted positions among ``n``) when there are at most ``count`` of them;
    else the first of them in each of ``count`` equal stretches of ``range(n)``."""
    if len(index) <= count:
        return index
    edges = np.linspace(0, n, count, endpoint=False)
    return sorted_unique(index[np.minimum(np.searchsorted(index, edges), len(index) - 1)])


#: The least y span of a chart, as a fraction of the data's level (a flat series).
FLAT_SPAN = 0.02


def y_range(arrays: Iterable[np.ndarray], ignore_outliers: bool = True, log: bool = False,
            percentiles: tuple[float, float] = (1.0, 99.0), margin: float = 0.05,
            min_span: float = 0.0):
    """The y-range that shows ``arrays`` (the visible, downsampled points).

    With ``ignore_outliers``, the range spans the given percentiles of the points (spikes
    then run off the chart instead of flattening it); otherwise min to max. A margin of
    ``margin`` times the span is added on both sides (multiplicatively in log space), but
    never below 0 for data that has no negative value.
    A flat or nearly flat series gets a span of at least :data:`FLAT_SPAN` of its level
    and at least ``min_span`` (data units), centred on it: its ticks then read as distinct
    round numbers (``25.2 25.4 25.6``), not as float noise (``25.4 / 25.4 / 25.4``).
    Non-finite values, and values <= 0 when ``log``, are ignored.

    Returns
    -------
    (float, float) or None
        None when there is nothing to show.
    """
    parts = [np.asarray(a, np.float64).ravel() for a in arrays]
    values = np.concatenate(parts) if parts else np.empty(0)
    values = values[np.isfinite(values)]
    if log:
        values = values[values > 0]
        values = np.log10(values)
    if len(values) == 0:
        return None
    if ignore_outliers and len(values) >= 20:
        lo, hi = np.percentile(values, percentiles)
    else:
        lo, hi = float(values.min()), float(values.max())
    span = hi - lo
    least = max(abs(hi + lo) / 2 * FLAT_SPAN, 0.0 if log else min_span)
    if span < least or span <= 0:
        centre = (hi + lo) / 2
        span = least or 1.0
        lo, hi = centre - span / 2, centre + span / 2
    floor = float(values.min())
    lo, hi = lo - margin * span, hi + margin * span
    if not log and floor >= 0 > lo:
        lo = 0.0  # all-positive data: no negative tick the data does not need
    if log:
        return float(10 ** lo), float(10 ** hi)
    return float(lo), float(hi)


def log_safe(y: np.ndarray) -> tuple[np.ndarray, int]:
    """``y`` with values <= 0 replaced by NaN (a log scale cannot draw them), and how many."""
    bad = ~(y > 0) & np.isfinite(y)
    count = int(bad.sum())
    if count:
        y = np.where(bad, np.nan, y)
    return y, count


def _downsample_by_blocks(x, value, cache: SeriesCache, start: int, stop: int,
                          n_out: int) -> np.ndarray:
    """:func:`downsample_indices` of ``value[start:stop]`` computed from the cached block
    extremes plus the raw points of the partial blocks at both ends: every block's min and
    max are candidates, so a spike is never lost, at O(visible / BLOCK) cost. Returns
    indices relative to ``start``."""
    extremes = cache.block_extremes(value)
    first = -(-start // BLOCK) * BLOCK   # first complete block inside the range
    last = (stop // BLOCK) * BLOCK        # end of the last complete block inside
    inner = extremes[np.searchsorted(extremes, first):np.searchsorted(extremes, last)]
    candidates = np.concatenate([np.arange(start, min(first, stop), dtype=np.int64), inner,
                                 np.arange(max(last, first, start), stop, dtype=np.int64)])
    picked = downsample_indices(x[candidates], value[candidates], n_out, True, finite=True)
    index = candidates[picked] - start
    return sorted_unique(np.concatenate(([0], index, [stop - start - 1])))


def even_pick(n: int, count: int) -> np.ndarray:
    """``count`` evenly spread indices of ``range(n)``, first and last included."""
    if n <= count:
        return np.arange(n, dtype=np.int64)
    return sorted_unique(np.linspace(0, n - 1, count).round())


def _inside(vc: np.ndarray, lo, hi) -> slice:
    """The part of a visible range's points (widened by a neighbour each side) that is
    inside ``[lo, hi]``."""
    start = 1 if lo is not None and len(vc) and vc[0] < lo else 0
    stop = len(vc) - 1 if hi is not None and len(vc) > start and vc[-1] > hi else len(vc)
    return slice(start, stop)


def _with_ends(index: np.ndarray, inner: slice, n: int) -> np.ndarray:
    """``index`` (relative to ``inner``) in the visible range's terms, with the neighbours
    outside the range on each side."""
    ends = [i for i in (0, n - 1) if n and not inner.start <= i < inner.stop]
    return sorted_unique(np.concatenate((np.asarray(index, np.int64) + inner.start,
                                     np.asarray(ends, np.int64))))


# --------------------------------------------------------------------------- one series
@dataclass
class SeriesView:
    """What a chart draws for one series.

    Attributes
    ----------
    x, y : numpy.ndarray
        The raw points to draw (downsampled, min/max kept).
    sx, sy : numpy.ndarray
        The smoothed line to draw: an even pick of the full-resolution smoothing (half as
        many points as the raw line; a smoothed line has no spikes to keep).
    index, sindex : numpy.ndarray of int64
        Positions of the drawn points in the full series (for tooltips).
    total, visible : int
        Points in the series, and inside the visible x-range.
    hidden_nonpositive : int
        Visible values <= 0 that a log scale cannot draw.
    """

    x: np.ndarray
    y: np.ndarray
    sx: np.ndarray
    sy: np.ndarray
    index: np.ndarray
    sindex: np.ndarray
    total: int
    visible: int
    hidden_nonpositive: int = 0
    smoothed_full: np.ndarray = field(default=None, repr=False)


def series_view(step: np.ndarray, timestamp: np.ndarray, value: np.ndarray,
                cache: SeriesCache, mode: str = "step", x_range=(None, None),
                smoothing: float = DEFAULT_SMOOTHING, n_out: int = 1600,
                origin: float = 0.0, log: bool = False,
                in_order: bool | None = None) -> SeriesView:
    """Compute the drawn points of one series (cost: O(visible) + O(new points)).

    Every point of the visible x-range when it holds at most ``n_out`` of them; else a
    downsampling to about ``n_out`` that keeps each bucket's min and max (a spike is never
    lost) and NaN/infinite values (where the line breaks). A zoom asks again with the new
    ``x_range`` and gets the new range at this full resolution.

    Parameters
    ----------
    step, timestamp, value : numpy.ndarray
        The series' full columns (a store snapshot's views; never copied whole).
    cache : SeriesCache
        This series' cache.
    mode : str
        One of :data:`X_MODES`.
    x_range : (float or None, float or None)
        The visible x-range (None: open).
    smoothing : float
        EMA weight in [0, 1); 0 draws no smoothing (the smoothed line equals the raw one).
    n_out : int
        Points to draw (see :func:`points_for_width`).
    origin : float
        Seconds since the epoch that ``relative`` time counts from.
    log : bool
        Replace values <= 0 by NaN (and count them).
    in_order : bool, optional
        Whether the x column (step, or timestamp for time modes) is non-decreasing, when
        the caller knows (a store snapshot's ``x_sorted(mode)``); else checked (O(new)).
    """
    # The step or timestamp column itself: relative time is wall time moved by ``origin``,
    # so the range is found and the buckets are cut on the stored column, and only the
    # visible slice is shifted (no copy of the whole series).
    column = step if mode == "step" else timestamp
    x_column(column[:0], column[:0], mode)  # an unknown mode fails here, before any work
    kind = "step" if mode == "step" else "time"
    is_sorted = cache.is_sorted(column, kind) if in_order is None else in_order
    smoothed = cache.smoothed(value, smoothing)
    shift = origin if mode == "relative" else 0.0
    lo, hi = (None if b is None else b + shift for b in x_range)
    bounds = x_range_of(column, is_sorted, lo, hi)
    offset = bounds.start if isinstance(bounds, slice) else None
    vc, vy, vs = column[bounds], value[bounds], smoothed[bounds]
    if not cache.all_finite(column, "x:" + kind):
        # Wall/relative time may be unknown for some points: they cannot be placed.
        keep = np.flatnonzero(np.isfinite(vc))
        vc, vy, vs = vc[keep], vy[keep], vs[keep]
        bounds = (keep + offset) if offset is not None else bounds[keep]
        offset = None
    finite = cache.all_finite(value, "y")
    # The budget goes to the points in view; the neighbour each side that lets the line
    # reach the edges is drawn besides.
    inner = _inside(vc, lo, hi)
    if offset is not None and finite and is_sorted and \
            inner.stop - inner.start >= n_out * BLOCK:
        # So many points that even every block's min and max are more than twice the
        # budget: bucket those (kept per block as the series grows) instead of every point.
        raw_idx = _downsample_by_blocks(column, value, cache, offset + inner.start,
                                        offset + inner.stop, n_out)
    else:
        raw_idx = downsample_indices(vc[inner], vy[inner], n_out, is_sorted,
                                     finite=True if finite else None)
    raw_idx = _with_ends(raw_idx, inner, len(vc))
    vx = vc - shift if shift else vc
    # The smoothed line has no spikes to keep: an even pick, one point per two raw ones.
    smooth_idx = _with_ends(
        even_pick(inner.stop - inner.start, max(2, n_out // 2)), inner, len(vs)) \
        if smoothing else raw_idx
    to_full = (lambda i: i + offset) if offset is not None else (lambda i: bounds[i])
    y, sy = vy[raw_idx], vs[smooth_idx]
    hidden = 0
    if log:
        y, hidden = log_safe(y)
        sy, _ = log_safe(sy)
    return SeriesView(vx[raw_idx], y, vx[smooth_idx], sy, to_full(raw_idx),
                      to_full(smooth_idx), len(value), len(vx), hidden, smoothed)
