"""The prefilter only widens the match: no line a definition's regex matches is ever dropped.

Property tests over random regexes built from what metric definitions are made of (literals,
escapes, ``#011`` tabs, classes, groups, alternations, repeats, case flags) and lines drawn to
match them (hypothesis' ``from_regex``) or not. The line must pass the prefilter, and pass the
filter pattern as CloudWatch evaluates it (the stand-in's emulation of its documented
semantics), whenever the regex matches it.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from metricwidgets.core.parsing import is_risky, prefilter_for, prefilter_union
from metricwidgets.testing.cloudwatch_patterns import (
    PatternError, compile_filter_pattern, compile_insights_regex)

SETTINGS = settings(max_examples=400, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

ATOMS = ["loss", "val_loss", "=", " ", ": ", "#011", "validation-rmse:", "'loss'", "acc",
         r"\.", r"\[", r"\]", r"\#", r"\t", r"\s*", r"\s+", r"\d+", "[0-9]+", "[a-z]",
         "[^;]*", ".", ".*", ".*?", r"(\S+)", r"([-+]?[0-9]*\.?[0-9]+)", "é", "Loss",
         "train", "epoch", "[Ee]", r"\b", "^", "x{2}", "(?:ab)+", "(?:ab)?", "(?:xyz){0}",
         "(?i:loss)", "(?-i:acc)", "a", "-", "%", "(", ")"]
FLAGS = ["", "", "", "(?i)", "(?s)", "(?m)", "(?x)"]


@st.composite
def regexes(draw):
    def piece():
        parts = draw(st.lists(st.sampled_from(ATOMS), min_size=1, max_size=5))
        return "".join(parts)

    body = piece()
    for _ in range(draw(st.integers(0, 2))):
        kind = draw(st.sampled_from(["alt", "group", "seq"]))
        if kind == "alt":
            other = piece()
            # Identical branches make hypothesis' from_regex draw inconsistently (flaky).
            body = f"(?:{body}|{other})" if other != body else body
        elif kind == "group":
            body = f"({body}){draw(st.sampled_from(['', '+', '*', '?', '{1,3}']))}"
        else:
            body += piece()
    if draw(st.booleans()):
        other = piece()
        body = f"{body}|{other}" if other != body else body
    return draw(st.sampled_from(FLAGS)) + body


def _testable(regex: str) -> bool:
    """Whether ``regex`` compiles and can be matched here in bounded time. A repeat over an
    ambiguous body (``(.*.*)+x``) can backtrack for hours on a line of 80 characters it does
    not match, in ``re.search`` or in hypothesis' ``from_regex``: the test would hang, not
    fail. The parser guards such patterns at run time; the prefilter is derived from the
    pattern's structure alone."""
    try:
        re.compile(regex)
    except re.error:
        return False
    return not is_risky(regex)


def _assert_kept(regex: str, line: str) -> None:
    if re.search(regex, line) is None:
        return
    prefilter = prefilter_for(regex)
    assert prefilter.passes(line), (regex, line, prefilter)
    if prefilter.usable:
        # What CloudWatch would answer for the pattern actually sent.
        assert compile_filter_pattern(prefilter.filter_pattern())(line), (regex, line)
        body = prefilter.insights_condition().split("/", 1)[1].rsplit("/", 1)[0]
        assert compile_insights_regex(body).search(line), (regex, line)


@SETTINGS
@given(regexes(), st.data())
def test_a_line_the_regex_matches_always_passes_the_prefilter(regex, data):
    assume(_testable(regex))
    line = data.draw(st.from_regex(re.compile(regex)), label="line")
    _assert_kept(regex, line)


LINE_PIECES = ["loss=0.5", "val_loss=0.25", " ", "#011", "validation-rmse:0.1", "[12]",
               "LOSS=1", "ſ", "K", "acc: 3", "'loss': 1", "é", ";", "epoch 3", "ab", "xyz"]


@SETTINGS
@given(regexes(), st.lists(st.sampled_from(LINE_PIECES), max_size=8).map("".join))
def test_a_log_like_line_the_regex_matches_passes_the_prefilter(regex, line):
    assume(_testable(regex))
    _assert_kept(regex, line)


@SETTINGS
@given(st.lists(regexes(), min_size=1, max_size=4), st.data())
def test_the_union_keeps_every_line_any_definition_matches(regex_list, data):
    assume(all(_testable(r) for r in regex_list))
    union = prefilter_union((f"m{i}", r) for i, r in enumerate(regex_list))
    which = data.draw(st.sampled_from(regex_list))
    line = data.draw(st.from_regex(re.compile(which)))
    if re.search(which, line) and union.usable:
        assert union.passes(line)
        assert compile_filter_pattern(union.filter_pattern())(line)


@pytest.mark.parametrize("regex, terms", [
    (r".*\[[0-9]+\].*#011validation-rmse:([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?).*",
     ("#011validation-rmse:",)),
    (r"Train_error=(.*?);", ("Train_error=",)),
    (r"(?:train_loss|valid_loss)=(\S+)", ("train_loss", "valid_loss")),
    (r"'loss': ([0-9.]+)", ("loss",)),   # the quote cannot be in a regex filter pattern
    (r"val.loss=(\S+)", ("loss=",)),
    (r"lr=(\d+\.\d+)", ("lr=",)),
])
def test_the_prefilter_is_the_required_text_cloudwatch_can_scan_for(regex, terms):
    assert prefilter_for(regex).terms == terms


@pytest.mark.parametrize("regex, why", [
    (r"(?i)loss=(\S+)", "case-insensitive"),
    (r"(\d+)", "no literal text"),
    (r"a=(\d)|bcd=(\d)", "3 or more characters"),
    (r"(?:loss=)*(\d)", "no literal text"),
])
def test_no_prefilter_where_soundness_is_not_provable_and_it_says_why(regex, why):
    prefilter = prefilter_for(regex)
    assert not prefilter.usable and why in prefilter.reason
    assert prefilter.passes("anything at all")


def test_the_union_names_the_definition_that_forces_a_full_read():
    union = prefilter_union([("loss", r"loss=(\S+)"), ("f1", r"(?i)f1=(\S+)")])
    assert not union.usable and union.reason.startswith("f1: case-insensitive")


def test_the_union_keeps_the_shorter_of_two_nested_terms():
    union = prefilter_union([("a", r"loss=(\S+)"), ("b", r"val_loss=(\S+)")])
    assert union.terms == ("loss=",)
    assert union.filter_pattern() == "%loss=%"


def test_patterns_cloudwatch_rejects_are_rejected_by_the_emulation():
    with pytest.raises(PatternError):
        compile_filter_pattern("%'loss'%")
    with pytest.raises(PatternError):
        compile_filter_pattern("%(a|b)%")
    assert compile_filter_pattern("%AUTHORIZED%")("[ERROR 401] UNAUTHORIZED REQUEST")
    assert not compile_filter_pattern("%loss%")("LOSS=1")
    assert compile_filter_pattern("%val\\.loss%")("val.loss=1")
    assert not compile_filter_pattern("%val\\.loss%")("valXloss=1")
