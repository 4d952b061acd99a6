"""Order statistics of sliding windows by a comparator network equal sorting the windows."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from metricwidgets.core.diagnosis import window_ranks


def _sorted_windows(v, width):
    return np.sort(np.lib.stride_tricks.sliding_window_view(v, width), axis=1)


@pytest.mark.parametrize("width", [2, 3, 4, 5, 7, 9])
def test_every_rank_of_every_0_1_input_is_what_sorting_gives(width):
    # The 0-1 principle: a comparator network that sorts every 0/1 input sorts every input.
    inputs = np.array(list(itertools.product((0.0, 1.0), repeat=width)))
    for rank in range(width):
        got = [window_ranks(row, width, (rank,))[0][0] for row in inputs]
        assert got == list(np.sort(inputs, axis=1)[:, rank])


@pytest.mark.parametrize("width", [1, 3, 5, 9, 12])
def test_long_series_with_ties_and_infinities_match_sorted_windows(width):
    rng = np.random.default_rng(width)
    v = np.round(rng.normal(size=70_000), 1)  # ties; longer than one chunk
    v[rng.integers(0, len(v), 50)] = np.inf
    v[rng.integers(0, len(v), 50)] = -np.inf
    ranks = tuple(range(width))
    expected = _sorted_windows(v, width)
    for rank, got in zip(ranks, window_ranks(v, width, ranks)):
        np.testing.assert_array_equal(got, expected[:, rank])


def test_a_series_shorter_than_the_window_has_no_window():
    assert [len(r) for r in window_ranks(np.arange(3.0), 5, (0, 2))] == [0, 0]
