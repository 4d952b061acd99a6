"""A catastrophic regex is cut off and disabled; every other definition keeps every point."""

from __future__ import annotations

import re

import pytest

from metricwidgets.core.parsing import MetricDefinition as M
from metricwidgets.core.parsing import LogParser
from metricwidgets.core.parsing import GuardedPattern, RegexTimeout, is_risky
from metricwidgets.testing.reference import ReferenceParser
from tests.core.parser_oracle import result_rows, run

NUMBER = r"([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)"
# (The x line holds a "y" before the x's: a line without the regex's required "y" is never
# searched at all, which is also what keeps such lines from hanging.)
CATASTROPHIC = [pytest.param("a_plus_plus", r"(a+)+$", "a" * 5000 + "!", id="(a+)+$"),
                pytest.param("a_or_aa", r"(a|aa)+$", "a" * 5000 + "!", id="(a|aa)+$"),
                pytest.param("x_plus_x_plus", r"(x+x+)+y", "y " + "x" * 5000, id="(x+x+)+y")]
GOOD = [M("loss", r"loss=" + NUMBER), M("acc", r"acc=(\S+?);")]


def _log(long_line: str) -> str:
    lines = []
    for k in range(50):
        lines.append(f"loss={k / 10} acc=0.{k};")
        if k % 10 == 5:
            lines.append(long_line)
    return "\n".join(lines) + "\n"


@pytest.mark.timeout(60)  # a bound on the test, not a timing assertion
@pytest.mark.parametrize("name, regex, line", CATASTROPHIC)
def test_catastrophic_regex_is_disabled_and_other_definitions_yield_every_point(name, regex, line):
    text = _log(line)
    parser = LogParser([*GOOD, M(name, regex)], regex_timeout=0.2)
    observed = run(parser, [text[: len(text) // 3], text[len(text) // 3:]])
    disabled = parser.stats[2].disabled
    assert disabled and repr(name) in disabled and "disabled" in disabled
    expected = run(ReferenceParser(GOOD), [text])
    assert observed["rows"] == expected["rows"]
    assert observed["stats"][:2] == expected["stats"]
    assert observed["lines"] == expected["lines"]


@pytest.mark.timeout(60)
def test_catastrophic_step_definition_is_dropped_and_points_still_come():
    parser = LogParser(GOOD, step_definition=r"(a|aa)+$", regex_timeout=0.2)
    result = parser.feed(_log("a" * 5000 + "!"))
    assert len(result) == 100
    assert parser.step_disabled and "disabled" in parser.step_disabled


@pytest.mark.parametrize("regex", [r"(a+)+$", r"(a|aa)+$", r"(x+x+)+y", r"(\w+\s?)+$",
                                   r"((ab)*)+c", r"(?:(\d)\1)+"])
def test_nested_repeats_and_repeated_alternations_are_triaged_risky(regex):
    assert is_risky(regex)


@pytest.mark.parametrize("regex", [
    r".*\[[0-9]+\].*#011validation-rmse:([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?).*",
    r"'learning_rate': ([0-9]+(.|e\-)[0-9]+)", r"Valid_error\s*=\s*(.*?);",
    r"#quality_metric: host=\S+, epoch=\S+, train \S+ <loss>=(\S+)", r"loss: (\d+\.\d+)"])
def test_sagemaker_style_regexes_stay_on_the_fast_re_path(regex):
    assert not is_risky(regex)


def test_guarded_pattern_raises_regex_timeout_past_its_budget():
    with pytest.raises(RegexTimeout):
        GuardedPattern(r"(a|aa)+$", timeout=0.1).search("a" * 5000 + "!")


@pytest.mark.parametrize("regex, line", [(r"v=((\d+)\.)+(\d+)", "x v=1.2.3 y"),
                                         (r"(?:acc|loss)+=(\d+)", "lossacc=4"),
                                         (r"((?:[a-z]+_)*loss)=(\S+)", "val_train_loss=0.1")])
def test_guarded_search_finds_what_re_finds(regex, line):
    found = GuardedPattern(regex).search(line)
    assert found.group(1) == re.search(regex, line).group(1)


def test_risky_but_benign_definition_gives_the_reference_points():
    defs = [M("v", r"v=((?:\d+\.)+\d+)"), M("loss", r"loss=(\S+)")]
    text = "v=1.5 loss=2\nv=3.25\nloss=x\n"
    parser = LogParser(defs)
    assert parser.matchers[0].slow
    assert run(parser, [text]) == run(ReferenceParser(defs), [text])
    assert result_rows(LogParser(defs).feed(text))


LONG = "a=1 " * 12_500  # 50,000 characters: a progress bar redrawn with "\r" gets this long


@pytest.mark.timeout(60)
def test_polynomial_regex_on_a_very_long_line_is_disabled_not_left_running():
    # Not triaged risky (no nested repeat), but O(n^4) on a 50,000-character line: re would
    # run for ages; lines that long go to the time-budgeted engine.
    text = f"loss=0.5 acc=0.1;\n{LONG}\nloss=0.25 acc=0.2;\n"
    parser = LogParser([*GOOD, M("poly", r".*.*.*.*=(\d+)x")], regex_timeout=0.2)
    observed = run(parser, [text])
    assert "'poly' was disabled" in parser.stats[2].disabled
    expected = run(ReferenceParser(GOOD), [text])
    assert observed["rows"] == expected["rows"] and observed["stats"][:2] == expected["stats"]


def test_metrics_on_very_long_lines_are_still_found_as_the_reference_finds_them():
    defs = [*GOOD, M("last", r"a=(\d+) $"), M("step", r"^(?:a=\d+ )+?a=(\d)")]
    text = f"{LONG}loss=3 acc=0.5;\nloss=4\n{LONG}"
    expected = run(ReferenceParser(defs), [text])
    assert run(LogParser(defs), [text[:30_000], text[30_000:]]) == expected
    assert expected["rows"]
    events = text.split("\n")
    ref, fast = ReferenceParser(defs), LogParser(defs)
    assert result_rows(fast.feed_lines(events)) == result_rows(ref.feed_lines(events))
