"""Every definition's search is bounded: no regex freezes the parser (issue 14, items 4, 9)."""

from __future__ import annotations

import time
import tracemalloc

from metricwidgets.core.parsing import MAX_LINE, line_limit
from metricwidgets.core.parsing import MetricDefinition as M
from metricwidgets.core.parsing import LogParser

CUBIC = r".*.*.*=(\d)"  # not a nested repeat: never flagged as risky, yet cubic in the line


def _timed_feed(parser, text):
    started = time.monotonic()
    result = parser.feed(text)
    result_end = parser.finish()
    return time.monotonic() - started, result, result_end


def test_a_cubic_regex_on_one_4000_character_line_does_not_stall_the_parser():
    # Python's re needs about 45 s for this line (cubic backtracking; measured on the old
    # parser, which searched it with re because it is under the 20,000-character long line).
    parser = LogParser([M("bad", CUBIC), M("loss", r"loss=(\S+)")])
    elapsed, result, _ = _timed_feed(parser, "x" * 3999 + "=\nloss=0.5 =7\n")
    assert elapsed < 10
    points = sorted(zip(result.metric.tolist(), result.line.tolist(), result.value.tolist()))
    assert (1, 2, 0.5) in points  # the other definition is untouched
    assert parser.stats[0].disabled or (0, 2, 7.0) in points


def test_a_chunk_of_many_slow_lines_disables_only_that_definition_within_its_budget():
    # 2,000 lines each costing re ~6 ms: no single line is over the per-line timeout, but
    # the chunk would take minutes; the chunk budget (about 1.6 s here) disables it.
    text = ("=" * 300 + "\n") * 2000 + "loss=0.25\n"
    parser = LogParser([M("bad", CUBIC), M("loss", r"loss=(\S+)")], regex_timeout=0.5)
    elapsed, result, _ = _timed_feed(parser, text)
    assert elapsed < 20
    assert "was disabled" in parser.stats[0].disabled
    assert result.value.tolist() == [0.25] and result.line.tolist() == [2001]


def test_line_limit_shrinks_with_the_backtracking_degree():
    assert line_limit(0, False) >= 20_000
    assert line_limit(1, False) > line_limit(2, False) > line_limit(3, False)
    assert line_limit(2, True) == line_limit(1, False)  # an anchored twin saves one factor


def test_a_line_longer_than_the_cap_is_cut_counted_and_held_in_bounded_memory():
    parser = LogParser([M("loss", r"loss=(\S+)"), M("acc", r"acc=(\S+)")])
    block = "y" * (1 << 20)
    tracemalloc.start()
    try:
        parser.feed("loss=0.5 ")
        for _ in range(40):  # one 40 MB line arriving in 1 MB pieces
            parser.feed(block)
        result = parser.feed(" acc=0.9\nloss=0.25\n")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20  # the old parser held the whole 40 MB line
    assert parser.cut_lines == 1
    assert parser.cut_chars == len("loss=0.5 ") + 40 * len(block) + len(" acc=0.9") - MAX_LINE
    # What is past the cap is never parsed (CloudWatch keeps at most 256 KB of an event).
    assert sorted(zip(result.metric.tolist(), result.line.tolist())) == [(0, 1), (0, 2)]


def test_a_regex_matching_the_empty_string_keeps_one_match_per_line_not_per_character():
    text = ("abcdefghij" * 10 + "\n") * 20_000  # 2 MB
    parser = LogParser([M("empty", r"x*(\d*)")], escape=False)
    tracemalloc.start()
    try:
        parser.feed(text)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 << 20  # the old parser built one match per character: ~200 MB here
    assert parser.stats[0].dropped == {"empty": 20_000}
