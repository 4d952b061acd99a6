"""Lint warnings: each classic mistake of SageMaker metric regexes, with its fix."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from metricwidgets.core.parsing import escape_line
from metricwidgets.core.authoring import (
    LINT_CODES,
    SAFE_NUMBER,
    LintWarning,
    lint_definition,
    lint_definitions,
    replace_group_one,
)
from metricwidgets.core.parsing import convert

DOC_SAMPLE = "Train_error=0.138318;  Valid_error = 0.324557;"
DOC_DEFS = [{"Name": "train:error", "Regex": "Train_error=(.*?);"},
            {"Name": "validation:error", "Regex": "Valid_error=(.*?);"}]


def one(regex, sample=None, name="m"):
    return lint_definition({"Name": name, "Regex": regex}, sample)


def codes(warnings):
    return [w.code for w in warnings]


def capture(regex, line):
    found = re.search(regex, escape_line(line))
    return None if found is None else found.group(1)


def test_doc_example_spaces_around_equals_is_a_warning_with_the_documented_fix():
    warnings = lint_definitions(DOC_DEFS, DOC_SAMPLE)
    assert [(w.name, w.code, w.severity) for w in warnings] == [
        ("validation:error", "spaces-around-equals", "warning")]
    assert warnings[0].suggestion == r"Valid_error\s*=\s*(.*?);"
    assert "line 1" in warnings[0].message
    assert capture(warnings[0].suggestion, DOC_SAMPLE) == "0.324557"


def test_name_equals_without_sample_is_only_a_soft_warning():
    warnings = one("Valid_error=(.*?);")
    assert codes(warnings) == ["spaces-around-equals"]
    assert warnings[0].severity == "info"


def test_sample_with_tight_equals_silences_the_spaces_warning():
    assert one("Train_error=(.*?);", DOC_SAMPLE) == []


def test_exponent_cut_off_on_hugging_face_learning_rate():
    sample = "{'loss': 0.6931, 'learning_rate': 3.44e-05, 'epoch': 0.5}"
    regex = r"'learning_rate': ([0-9]+(.|e\-)[0-9]+)"
    assert capture(regex, sample) == "3.44"
    warnings = one(regex, sample)
    assert codes(warnings) == ["exponent-cut-off"]
    assert "3.44e-05" in warnings[0].message
    assert float(capture(warnings[0].suggestion, sample)) == 3.44e-05


def test_safe_number_keeps_exponents_and_signs():
    for text, value in [("3.44e-05", 3.44e-05), ("-1.5E+3", -1500.0), (".5", 0.5), ("7", 7)]:
        assert float(re.fullmatch(SAFE_NUMBER, text).group(1)) == value


def test_tab_written_as_backslash_t_is_replaced_by_octal_escape():
    line = "[3]\ttrain-rmse:0.5\tvalidation-rmse:0.61"
    regex = r"\tvalidation-rmse:" + SAFE_NUMBER
    assert capture(regex, line) is None  # SageMaker's text has #011, not a tab
    warnings = one(regex, line)
    assert codes(warnings) == ["tab-escape"]
    assert capture(warnings[0].suggestion, line) == "0.61"


def test_caret_against_indented_lines():
    line = "    Training> loss=0.25"
    warnings = one(r"^Training> loss=" + SAFE_NUMBER, line)
    assert codes(warnings) == ["caret-indented"]
    assert warnings[0].severity == "warning"
    assert capture(warnings[0].suggestion, line) == "0.25"


def test_caret_that_matches_the_sample_is_not_reported():
    assert one(r"^loss=" + SAFE_NUMBER, "loss=0.25") == []


def test_lazy_group_with_nothing_after_it_captures_empty():
    assert capture("loss=(.*?)", "loss=0.5") == ""
    warnings = one("loss=(.*?)", "loss=0.5")
    assert codes(warnings) == ["lazy-no-terminator"]
    assert capture(warnings[0].suggestion, "loss=0.5") == "0.5"


def test_greedy_open_ended_capture_takes_non_numeric_text():
    line = "epoch 3 acc=0.9, loss=0.1"
    assert convert(capture(r"acc=(\S+)", line))[1] == "not-a-number"
    warnings = one(r"acc=(\S+)", line)
    assert codes(warnings) == ["non-numeric-capture"]
    assert "0.9," in warnings[0].message
    assert capture(warnings[0].suggestion, line) == "0.9"


def test_lazy_group_with_a_terminator_is_fine():
    assert codes(one("Valid_error=(.*?);", "Valid_error=0.3;")) == []


def test_value_in_brackets_is_named_as_such():
    line = "#quality_metric: host=algo-1, epoch=3, <score>=(0.0009)"
    warnings = one(r"<score>=(\S+)", line)
    assert codes(warnings) == ["value-in-brackets"]
    assert float(capture(warnings[0].suggestion, line)) == 0.0009


def test_keras_loss_regex_also_matches_val_loss():
    line = "1875/1875 - 3s - val_loss: 0.3012 - val_accuracy: 0.91"
    regex = r"loss: ([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)"
    assert capture(regex, line) == "0.3012"  # the wrong series
    warnings = one(regex, line)
    assert codes(warnings) == ["matches-longer-name"]
    assert "val_loss" in warnings[0].message
    assert warnings[0].suggestion.startswith("(?<![\\w-])loss")
    assert capture(warnings[0].suggestion, line) is None
    assert capture(warnings[0].suggestion, "1875/1875 - loss: 0.25 - val_loss: 0.3") == "0.25"


def test_bare_generic_name_gets_a_soft_warning_without_sample():
    warnings = one(r"loss: ([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)")
    assert [(w.code, w.severity) for w in warnings] == [("matches-longer-name", "info")]


def test_safe_regexes_get_no_warning():
    xgboost = r".*\[[0-9]+\].*#011validation-rmse:([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?).*"
    sample = "[12]#011train-rmse:0.31#011validation-rmse:0.35"
    assert lint_definitions([{"Name": "validation:rmse", "Regex": xgboost}], sample) == []
    assert lint_definitions([{"Name": "validation:rmse", "Regex": xgboost}]) == []


def test_regex_that_does_not_compile_gets_no_lint():
    assert one("loss=([0-9]+") == []


def test_catastrophic_regex_does_not_hang_lint():
    started = time.monotonic()
    warnings = one(r"(a+)+$", "a" * 40 + "b\n" * 3)
    assert time.monotonic() - started < 3
    assert isinstance(warnings, list)


def test_every_warning_is_data_with_a_known_code():
    samples = ["acc=0.9,", "    loss=(0.5)", "val_loss: 1e-3"]
    regexes = [r"acc=(\S+)", r"^loss=(\S+)", r"loss: ([0-9.]+)", r"\tx=(.*?)"]
    for regex in regexes:
        for sample in samples + [None]:
            for w in one(regex, sample):
                assert isinstance(w, LintWarning)
                assert w.code in LINT_CODES
                assert w.severity in ("warning", "info")
                if w.suggestion is not None:
                    re.compile(w.suggestion)


@pytest.mark.parametrize("regex, body, expected", [
    (r"a=(.*?);", "X", "a=X;"),
    (r"(?:b)(?P<v>\d+)(x)", "Y", "(?:b)Y(x)"),
    (r"\(x\)=([0-9]+(.|e)[0-9]+)z", "Z", r"\(x\)=Z" + "z"),
])
def test_replace_group_one_replaces_only_the_first_capturing_group(regex, body, expected):
    assert replace_group_one(regex, body) == expected


_ATOMS = [r"a", r"=", r"\t", r"\s*", r"(", r")", r"(?:", r"(?P<v>", r"[0-9]", r"[^;]", r".*?",
          r".*", r"+", r"?", r"^", r"$", r"\\", r"\(", r"|", r"{2}", r"(?<![\w-])", r"loss",
          r":", r" ", r"\d+", r"[\]]", r"(?#c)", r"\x41", r"#011"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_ATOMS), min_size=1, max_size=8),
       st.sampled_from([None, "", "loss=0.5;", "  loss: 1e-3", "a\tb=(3)", "val_loss: 2"]))
def test_lint_never_raises_and_every_suggestion_compiles(atoms, sample):
    regex = "".join(atoms)
    try:
        re.compile(regex)
    except re.error:
        assume(False)
    for warning in one(regex, sample):
        if warning.suggestion is not None:
            re.compile(warning.suggestion)


# -- no false alarms on integers and fixed decimals; copied regexes (issue 14, item 10) ---

def test_exponent_cut_off_is_only_a_hint_on_integer_counts():
    sample = "epoch 1 samples=1200 loss=0.5\nepoch 2 samples=2400 loss=0.4\n"
    warnings = one(r"samples=([0-9.]+)", sample)
    assert [(w.code, w.severity) for w in warnings] == [("exponent-cut-off", "info")]


def test_exponent_cut_off_is_only_a_hint_on_values_printed_with_fixed_decimals():
    sample = "".join(f"epoch {k} loss={0.5 / k:.4f}\n" for k in range(1, 50))
    warnings = one(r"loss=([0-9]+\.[0-9]+)", sample)
    assert [(w.code, w.severity) for w in warnings] == [("exponent-cut-off", "info")]
    assert "no exponent" in warnings[0].message


def test_exponent_cut_off_is_a_warning_when_the_sample_shows_the_exponent():
    sample = "loss=0.5\nloss=3.44e-05\n"
    warnings = one(r"loss=([0-9]+\.[0-9]+)", sample)
    assert [(w.code, w.severity) for w in warnings] == [("exponent-cut-off", "warning")]
    assert "line 2" in warnings[0].message


def test_two_definitions_with_the_same_regex_are_flagged():
    # AWS's own XGBoost list once mapped validation:cox-nloglik to the train regex.
    train = r".*\[[0-9]+\].*#011train-cox-nloglik:([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?).*"
    defs = [{"Name": "train:cox-nloglik", "Regex": train},
            {"Name": "validation:cox-nloglik", "Regex": train}]
    warnings = [w for w in lint_definitions(defs) if w.code == "same-regex"]
    assert [(w.name, w.severity) for w in warnings] == [("validation:cox-nloglik", "warning")]
    assert "'train:cox-nloglik'" in warnings[0].message
    assert "same-regex" in LINT_CODES
