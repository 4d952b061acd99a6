"""The k-th smallest value of every sliding window of a series, by a comparator network.

Sorting each window (``np.sort`` of a ``sliding_window_view``) copies the series ``width``
times and sorts a million tiny rows one by one. A comparator network instead sorts all the
windows at once: a comparator is one ``np.minimum`` and one ``np.maximum`` over whole shifted
views of the series, and only the comparators that lead to the wanted ranks are run (about
20 array operations for the median of 9). Each result is one of the window's own values, so
it is exactly what sorting gives.

Pure numpy; thread-safe (the networks are built once and never changed).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

__all__ = ["window_ranks"]

#: Windows computed together (their temporaries fit in a cache).
_CHUNK = 32768


def _odd_even_merge_sort(length: int) -> list[tuple[int, int]]:
    """Batcher's odd-even merge sort network for ``length`` (a power of two) inputs."""
    pairs = []
    p = 1
    while p < length:
        k = p
        while k >= 1:
            for j in range(k % p, length - k, 2 * k):
                for i in range(min(k, length - j - k)):
                    if (i + j) // (2 * p) == (i + j + k) // (2 * p):
                        pairs.append((i + j, i + j + k))
            k //= 2
        p *= 2
    return pairs


@lru_cache(maxsize=32)
def _network(width: int, ranks: tuple[int, ...]) -> tuple[tuple[int, int, bool, bool], ...]:
    """The comparators ``(low wire, high wire, min needed, max needed)`` that put the
    ``ranks``-th smallest of ``width`` inputs on the wires of the same numbers.

    The network for the next power of two is cut to ``width`` wires (the missing inputs
    would be +inf, which no comparator moves), then every comparator none of whose outputs
    leads to a wanted wire is dropped.
    """
    size = 1 << max(width - 1, 0).bit_length()
    pairs = [(i, j) for i, j in _odd_even_merge_sort(size) if j < width]
    live = set(ranks)
    kept = []
    for i, j in reversed(pairs):
        need_min, need_max = i in live, j in live
        if need_min or need_max:
            kept.append((i, j, need_min, need_max))
            live |= {i, j}
    return tuple(reversed(kept))


def window_ranks(values: np.ndarray, width: int, ranks: tuple[int, ...]) -> list[np.ndarray]:
    """For each rank ``r`` of ``ranks``, the ``r``-th smallest value (0: the minimum) of every
    window ``values[i:i + width]``, ``i = 0 .. len(values) - width``.

    ``values`` must hold no NaN (a comparator would spread it); infinities are fine.
    """
    v = np.asarray(values, np.float64)
    count = len(v) - width + 1
    if count <= 0:
        return [np.empty(0, np.float64) for _ in ranks]
    if width == 1:
        return [v.copy() for _ in ranks]
    network = _network(width, tuple(ranks))
    out = [np.empty(count, np.float64) for _ in ranks]
    # In chunks that stay in the processor's cache (a whole-series temporary per comparator
    # costs more in fresh memory than in comparisons).
    for start in range(0, count, _CHUNK):
        stop = min(start + _CHUNK, count)
        wires = [v[start + k:stop + k] for k in range(width)]
        for i, j, need_min, need_max in network:
            low, high = wires[i], wires[j]
            if need_min:
                wires[i] = np.minimum(low, high)
            if need_max:
                wires[j] = np.maximum(low, high)
        for target, rank in zip(out, ranks):
            target[start:stop] = wires[rank]
    return out
