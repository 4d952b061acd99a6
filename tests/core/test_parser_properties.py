"""Property tests: the fast LogParser equals the reference parser on any text and chunking."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metricwidgets.core.parsing import MetricDefinition
from metricwidgets.core.parsing import LogParser
from metricwidgets.testing.reference import ReferenceParser
from tests.core.parser_oracle import drop_key, result_rows, run, stats_key

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Fragments real logs are made of, plus the characters that break naive fast paths:
# newlines and tabs (which \s and [^;] can cross), \r, ANSI codes, NUL, non-ASCII letters
# and digits (utf-8 multi-byte, so byte chunking splits characters).
FRAGMENTS = ["loss", "val_loss", "=", " = ", ": ", ";", " ", "\t", "\n", "\n", "\n", "\r", "\r\n",
             "0.25", "-1.5e-05", "3", "nan", "inf", "1e999", "cat", "[12]", "#011", "epoch",
             "acc", "é", "١٢", "\x1b[31m", "\x00", "  ", "a", "aa", ".", "{'loss': 0.3}"]
LOG_NAMES = ["loss", "val_loss", "acc", "epoch", "[12]", "#011validation-rmse", "'loss'", "a"]
LOG_SEPARATORS = ["=", " = ", ": ", ":", " ", "\t", "\n", "=\n", " \n ", ""]
LOG_VALUES = ["0.25", "-1.5e-05", "3", "nan", "inf", "1e999", "cat", "", "١٢", "1e-400", ".5"]
LOG_ENDS = [";", "\n", " ", ";\n", "\r\n", "\r", "\t", ",", "]", "\n\n", ""]
# A metric statement "name sep value end", with line breaks liable to fall anywhere in it.
statements = st.builds(lambda *p: "".join(p), st.sampled_from(LOG_NAMES),
                       st.sampled_from(LOG_SEPARATORS), st.sampled_from(LOG_VALUES),
                       st.sampled_from(LOG_ENDS))
texts = st.lists(st.one_of(statements, st.sampled_from(FRAGMENTS)), max_size=30).map("".join)

PREFIXES = ["", "^", r"\A", r"\b", "^\\s*", ".*", ".*?", "(?<=\\n)", "(?<![a-z])", "(?s).*",
            "(?m)^", "[^;]*", r"\D*", "(?i)", "(?i:L)o", "(?s:.)", r"(?<=\s)", r"(?>\s*)",
            r"[\s\S]", r"[^\w]*", r"\W?", "[\\x00-\\x7f]*?"]
NAMES = ["loss", "val_loss", "acc", "epoch", r"\[", "a", "#011", "'loss'"]
SEPARATORS = ["=", r"\s*=\s*", r"\s*[:=]\s*", ":\\s", "[^0-9]*", r"\s+", r"\W*", "", ".", r"\S*"]
CAPTURES = [r"(.*?)", r"([^;]*)", r"(\S+)", r"([-+0-9.eE]+)", r"(\d+(?:\.\d+)?)",
            r"([0-9]+(.|e\-)[0-9]+)", r"((\d+)\.?(\d*))", r"(.*)", r"([^\s;]+?)", r"(\d*)",
            r"(?P<v>[\d.]+)", r"(\w+)", r"((?:\d|\.)+)", r"(\s*\S+)", r"(.+?)(?=;)",
            r"(\d++)", r"(?>(\S+))", r"(\d)?(?(1)\d*|\s*(\S+))", r"(\S)\1*", r"([^\n]+)"]
SUFFIXES = ["", ";", "$", r"\Z", r"\s*$", r"(?=\s)", r"(?!\d)", r"\]", ".*", "\\n", "[\\s;]",
            r"\b", "(?:;|$)"]
regexes = st.builds(lambda *parts: "".join(parts), st.sampled_from(PREFIXES),
                    st.sampled_from(NAMES), st.sampled_from(SEPARATORS),
                    st.sampled_from(CAPTURES), st.sampled_from(SUFFIXES))
definition_lists = st.lists(regexes, min_size=1, max_size=4).map(
    lambda rs: [MetricDefinition(f"m{i}", r) for i, r in enumerate(rs)])


def _chunks(text, cuts):
    cuts = sorted({c % (len(text) + 1) for c in cuts})
    edges = [0, *cuts, len(text)]
    return [text[a:b] for a, b in itertools.pairwise(edges)]


@SETTINGS
@given(texts, definition_lists, st.lists(st.integers(0, 10_000), max_size=6), st.booleans())
def test_fast_parser_equals_reference_on_any_chunking(text, defs, cuts, escape):
    for d in defs:
        re.compile(d.regex)
    expected = run(ReferenceParser(defs, escape=escape), [text])
    assert run(LogParser(defs, escape=escape), _chunks(text, cuts)) == expected


@SETTINGS
@given(texts, definition_lists, st.lists(st.integers(0, 10_000), max_size=6))
def test_byte_chunks_split_inside_utf8_characters_give_the_same_points(text, defs, cuts):
    data = text.encode("utf-8") + b"\xff\xfe broken \xc3"  # invalid UTF-8 must not stop parsing
    expected = run(ReferenceParser(defs), [data])
    assert run(LogParser(defs), _chunks(data, cuts)) == expected


@SETTINGS
@given(texts, definition_lists, regexes)
def test_step_definition_gives_each_point_the_latest_step(text, defs, step_regex):
    step = MetricDefinition("step", step_regex)
    expected = run(ReferenceParser(defs, step_definition=step), [text])
    assert run(LogParser(defs, step_definition=step), [text[: len(text) // 2],
                                                       text[len(text) // 2:]]) == expected


@SETTINGS
@given(st.lists(texts, max_size=8), definition_lists)
def test_feed_lines_equals_reference_for_cloudwatch_events(events, defs):
    stamps = [1_700_000_000.0 + k for k in range(len(events))]
    ref, fast = ReferenceParser(defs), LogParser(defs)
    a, b = ref.feed_lines(events, stamps), fast.feed_lines(events, stamps)
    assert result_rows(b) == result_rows(a)
    assert [drop_key(d) for d in b.drops] == [drop_key(d) for d in a.drops]
    assert stats_key(fast.stats) == stats_key(ref.stats)
    assert fast.lines == ref.lines



# Paths the parser takes only on big chunks or slow regexes, forced on every line here:
# "_RARE" = 0: search only the lines holding a regex's required literal;
# "LONG_LINE" = 5: every line of 6+ characters goes to the time-budgeted engine;
# "SLICE_CHARS" = 7: the fast path searches the chunk a few lines at a time;
# "LINE_STEPS" = 1: a regex that can backtrack searches every line with the budgeted engine;
# "SLOW_SECONDS" = -1: every definition moves to the budgeted engine after its first slice.
@pytest.mark.parametrize("setting, value", [("_RARE", 0), ("LONG_LINE", 5), ("SLICE_CHARS", 7),
                                            ("LINE_STEPS", 1), ("SLOW_SECONDS", -1)])
@SETTINGS
@given(text=texts, defs=definition_lists, cuts=st.lists(st.integers(0, 10_000), max_size=4))
def test_paths_for_big_chunks_equal_the_reference(setting, value, text, defs, cuts):
    import metricwidgets.core.parsing._chunk_search as search_module

    saved = getattr(search_module, setting)
    setattr(search_module, setting, value)
    try:
        expected = run(ReferenceParser(defs), [text])
        assert run(LogParser(defs), _chunks(text, cuts)) == expected
    finally:
        setattr(search_module, setting, saved)
