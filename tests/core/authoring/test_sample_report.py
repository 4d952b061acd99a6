"""The sample report: counts, rows, spans, drops, unmatched lines, errors, lint, safety."""

from __future__ import annotations

import math
import re
import time

from metricwidgets.core.parsing import MetricDefinition as D
from metricwidgets.testing.reference import ReferenceParser
from metricwidgets.core.authoring import DETAIL_ROWS, SHOWN_LINES, build_report

DOC = "Train_error=0.138318;  Valid_error = 0.324557;"
DOC_DEFS = [D("train:error", "Train_error=(.*?);"), D("validation:error", "Valid_error=(.*?);")]


def test_doc_example_counts_one_match_and_zero_matches_and_explains_spaces():
    report = build_report(DOC, DOC_DEFS)
    train, valid = report.definitions
    assert (train.matches, valid.matches) == (1, 0)
    assert train.rows[0].captured == "0.138318" and train.rows[0].value == 0.138318
    assert [w.code for w in valid.warnings] == ["spaces-around-equals"]
    assert valid.warnings[0].suggestion == r"Valid_error\s*=\s*(.*?);"
    assert [u.message for u in report.unmatched] == [
        "line 1 contains 'Valid_error' but no definition matched it"]


def test_spans_mark_the_match_and_group_one_in_the_escaped_line():
    report = build_report("epoch 1\tloss=0.25;", [D("loss", "loss=(.*?);")])
    row = report.definitions[0].rows[0]
    line = report.lines[row.line - 1]
    assert line == "epoch 1#011loss=0.25;"  # SageMaker's escaping applied
    assert line[slice(*row.match)] == "loss=0.25;"
    assert line[slice(*row.group)] == "0.25"
    assert report.spans(1) == [(0, row)]


def test_drops_say_why_a_capture_gave_no_value():
    text = "acc=0.9, x\nacc=nan,\nacc=cat,\nacc=inf,\n"
    report = build_report(text, [D("acc", r"acc=([^\s]+),")])
    d = report.definitions[0]
    assert d.matches == 4 and d.points == 1
    assert d.dropped == {"nan": 1, "not-a-number": 1, "inf": 1}
    assert [(r.line, r.captured, r.reason) for r in d.rows] == [
        (1, "0.9", None), (2, "nan", "nan"), (3, "cat", "not-a-number"), (4, "inf", "inf")]
    assert d.rows[2].reason_text == "the capture is not a number"


def test_counts_agree_with_the_reference_parser_on_many_lines():
    lines = [f"[{k}]\ttrain-rmse:{k / 7:.5f}\tvalidation-rmse:{k / 9:.3e}" for k in range(2000)]
    text = "\n".join(lines)
    defs = [D("train:rmse", r"#011train-rmse:([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)"),
            D("validation:rmse", r".*\[[0-9]+\].*#011validation-rmse:(\S+)")]
    report = build_report(text, defs, lint=False)
    oracle = ReferenceParser(defs)
    oracle.feed(text)
    oracle.finish()
    assert [d.points for d in report.definitions] == [s.points for s in oracle.stats] == [2000] * 2
    assert len(report.definitions[0].rows) == DETAIL_ROWS
    assert len(report.lines) == SHOWN_LINES and report.total_lines == 2000
    assert report.definitions[1].values[-1] == float(f"{1999 / 9:.3e}")


def test_only_the_first_match_on_a_line_counts_and_spans_are_per_line():
    report = build_report("a=1 a=2\nb\na=3", [D("a", r"a=(\d)")], lint=False)
    d = report.definitions[0]
    assert [(r.line, r.captured, r.group) for r in d.rows] == [(1, "1", (2, 3)), (3, "3", (2, 3))]


def test_invalid_definitions_are_reported_not_raised():
    defs = [D("bad", "loss=(x"), D("nogroup", "loss=1"), D("dup", "a=(1)"), D("dup", "b=(2)"),
            D("", "c=(3)")]
    report = build_report("loss=1 a=1 b=2", defs)
    bad, nogroup, dup1, dup2, empty = report.definitions
    assert bad.errors[0].position is not None and bad.matches == 0 and not bad.usable
    assert "capture group" in nogroup.errors[0].reason and not nogroup.usable
    assert "used by another" in dup1.errors[0].reason and dup2.errors == dup1.errors
    assert dup1.matches == 1 and dup2.matches == 1  # still counted: SageMaker would refuse, we explain
    assert "characters" in empty.errors[0].reason


def test_more_than_forty_definitions_is_an_error_of_the_list():
    defs = [D(f"m{k}", f"m{k}=([0-9]+)") for k in range(41)]
    report = build_report("m1=1", defs, lint=False)
    assert len(report.errors) == 1 and "at most 40" in report.errors[0].reason


def test_catastrophic_regex_is_disabled_quickly_and_others_still_count():
    # (a|aa)+$ takes seconds on one such line (exponential backtracking).
    evil = ("a" * 40 + "!\n") * 30 + "loss=0.5;\n"
    defs = [D("evil", r"(a|aa)+$"), D("loss", r"loss=(.*?);")]
    started = time.monotonic()
    report = build_report(evil, defs)
    elapsed = time.monotonic() - started
    assert report.definitions[0].disabled and "evil" in report.definitions[0].disabled
    assert report.definitions[0].rows == []
    assert report.definitions[1].points == 1
    assert elapsed < 8  # bounded (the budget is about 1 s; slack for a loaded machine)


def test_unmatched_lines_are_per_name_not_per_line():
    text = "loss=0.5 acc=0.9\nval_loss: 0.7\nplain text"
    report = build_report(text, [D("loss", r"(?<![\w-])loss=([0-9.]+)")], lint=False)
    assert [(u.line, u.names) for u in report.unmatched] == [(1, ("acc",)), (2, ("val_loss",))]


def test_preview_values_are_the_points_in_order():
    text = "\n".join(f"loss={math.exp(-k / 10):.6f};" for k in range(50))
    report = build_report(text, [D("loss", "loss=(.*?);")], lint=False)
    values = report.definitions[0].values
    assert len(values) == 50 and all(a > b for a, b in zip(values, values[1:]))


def test_empty_sample_and_no_definitions():
    report = build_report("", [])
    assert report.lines == [] and report.total_lines == 0 and report.definitions == []
    report = build_report("", [D("x", "x=(1)")])
    assert report.definitions[0].matches == 0


def test_ansi_colour_codes_are_stripped_before_matching():
    report = build_report("\x1b[34mloss=0.5;\x1b[0m", [D("loss", "loss=(.*?);")])
    assert report.definitions[0].rows[0].value == 0.5
    assert not re.search("\x1b", report.lines[0])
