"""LogParser on real SageMaker log lines: every rule of SageMaker's metric parsing."""

from __future__ import annotations

import json
import math
import pathlib

import numpy as np
import pytest

from metricwidgets.core.parsing import MetricDefinition as M
from metricwidgets.core.parsing import load_definitions
from metricwidgets.core.parsing import LogParser, line_local, parse_log
from metricwidgets.core.parsing import ParseResult
from metricwidgets.testing.reference import ReferenceParser
from tests.core.parser_oracle import run

DATA = pathlib.Path(__file__).parents[2] / "data"
NUMBER = r"([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)"


def read(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def parse_all(parser, text) -> ParseResult:
    return ParseResult.concat([parser.feed(text), parser.finish()])


def series(parser, result, name):
    index = parser.names.index(name)
    return result.value[result.metric == index].tolist()


XGB = load_definitions(str(DATA / "xgboost_definitions.json"))


def test_xgboost_builtin_regexes_match_a_local_process_once_tabs_are_escaped():
    parser = LogParser(XGB)
    result = parse_all(parser, read("xgboost_local.log"))
    assert series(parser, result, "validation:rmse")[:3] == [7.92437, 5.79613, 4.32795]
    assert series(parser, result, "validation:rmse")[-1] == 2.98
    assert series(parser, result, "train:rmse")[-1] == 2.34
    assert result.line[0] == 9  # 1-based, counting the log's header lines


def test_unescaped_local_text_never_matches_the_builtin_xgboost_regexes():
    parser = LogParser(XGB, escape=False)
    assert len(parse_all(parser, read("xgboost_local.log"))) == 0
    assert [s.matches for s in parser.stats] == [0, 0]


def test_cloudwatch_events_are_matched_as_they_are_with_their_timestamps():
    lines = read("xgboost_cloudwatch.log").splitlines()
    stamps = [1_795_961_000.0 + k for k in range(len(lines))]
    parser = LogParser(XGB, escape=False)
    result = parser.feed_lines(lines, stamps)
    assert len(result) == 26
    assert result.timestamp[0] == stamps[8]
    assert parser.lines == len(lines)


def test_xgboost_round_is_the_step_of_every_point():
    parser = LogParser(XGB, step_definition=M("round", r"\[(\d+)\]#011"))
    result = parse_all(parser, read("xgboost_local.log"))
    assert result.step[result.metric == 1].tolist() == [float(k) for k in range(13)]


def test_linear_learner_epoch_step_and_train_validation_lines_are_told_apart():
    defs = [M("train:objective_loss", r"#quality_metric: host=\S+, epoch=\S+, train \S+ <loss>=(\S+)"),
            M("validation:objective_loss", r"#quality_metric: host=\S+, epoch=\S+, validation \S+ <loss>=(\S+)"),
            M("validation:binary_classification_accuracy",
              r"#quality_metric: host=\S+, validation binary_classification_accuracy <score>=(\S+)")]
    parser = LogParser(defs, step_definition=r"epoch=(\d+)")
    result = parse_all(parser, read("linear_learner.log"))
    assert series(parser, result, "train:objective_loss") == [0.1290519938468933,
                                                            0.0631230224609375,
                                                            0.05218231201171875]
    assert result.step[result.metric == 1].tolist() == [0.0, 1.0, 2.0]
    assert series(parser, result, "validation:binary_classification_accuracy") == [0.9824]
    # The final accuracy line carries no epoch: it keeps the latest one (2).
    assert result.step[result.metric == 2].tolist() == [2.0]


def test_several_keras_metrics_come_from_one_line():
    defs = [M("loss", r" - loss: " + NUMBER), M("accuracy", r" - accuracy: " + NUMBER),
            M("val_loss", r" - val_loss: " + NUMBER), M("val_accuracy", r" - val_accuracy: " + NUMBER)]
    parser = LogParser(defs)
    result = parse_all(parser, read("keras.log"))
    line3 = result.metric[result.line == 3].tolist()
    assert line3 == [0, 1, 2, 3]  # one point per definition, in definition order
    assert series(parser, result, "val_loss") == [0.1302, 0.0964, 0.0815]
    assert series(parser, result, "loss")[-1] == 0.0815  # the evaluation line counts too


def test_only_the_first_match_on_a_line_counts():
    # Keras' "loss: " also occurs in "val_loss: " later on the same line: SageMaker keeps
    # the first match only, so each line gives one loss point.
    parser = LogParser([M("loss", r"loss: " + NUMBER)])
    result = parse_all(parser, read("keras.log"))
    assert series(parser, result, "loss") == [0.2569, 0.1122, 0.0775, 0.0815]


def test_hugging_face_learning_rate_keeps_its_exponent_with_a_full_number_regex():
    good = M("lr", r"'learning_rate': " + NUMBER)
    bad = M("lr_cut", r"'learning_rate': ([0-9]+(.|e\-)[0-9]+)")  # the classic mistake
    parser = LogParser([good, bad])
    result = parse_all(parser, read("huggingface.log"))
    assert series(parser, result, "lr")[1] == 3.44e-05
    assert series(parser, result, "lr_cut")[1] == 3.44  # what SageMaker silently publishes


def test_pytorch_tab_matches_as_octal_escape_and_not_as_backslash_t():
    escaped = M("loss", r"#011Loss: " + NUMBER)
    tab = M("loss_tab", r"\tLoss: " + NUMBER)
    parser = LogParser([escaped, tab])
    result = parse_all(parser, read("pytorch_mnist.log"))
    assert series(parser, result, "loss") == [2.300039, 2.213983, 1.705325, 0.137564,
                                              0.104772, 0.046218]
    assert parser.stats[1].matches == 0


def test_sagemaker_documentation_example_misses_the_spaced_valid_error():
    defs = load_definitions(str(DATA / "sagemaker_doc_definitions.json"))
    parser = LogParser(defs)
    result = parse_all(parser, read("sagemaker_doc.log"))
    assert series(parser, result, "train:error") == [0.138318, 0.126401]
    assert parser.stats[1].matches == 0
    fixed = LogParser([M("validation:error", r"Valid_error\s*=\s*(.*?);")])
    assert series(fixed, parse_all(fixed, read("sagemaker_doc.log")),
                  "validation:error") == [0.324557, 0.298774]


def test_non_numeric_capture_is_dropped_but_counted_with_an_example():
    parser = LogParser([M("acc", r"acc=(\S+)")])
    result = parse_all(parser, "acc=0.9,\nacc=0.8\nacc=cat\n")
    assert result.value.tolist() == [0.8]
    stats = parser.stats[0]
    assert stats.dropped == {"not-a-number": 2}
    assert stats.examples["not-a-number"].captured == "0.9,"
    assert stats.examples["not-a-number"].line == 1
    assert result.drops == []  # not-a-number is counted, not marked on the chart


def test_nan_inf_and_out_of_range_captures_are_marked_where_they_happened():
    parser = LogParser([M("loss", r"loss=(\S+)")], step_definition=r"step (\d+)")
    result = parse_all(parser, "step 1 loss=0.5\nstep 2 loss=nan\nstep 3 loss=-inf\n"
                               "step 4 loss=1e999\nstep 5 loss=1e-200\n")
    assert result.value.tolist() == [0.5]
    assert [(d.line, d.reason, d.step) for d in result.drops] == [
        (2, "nan", 2.0), (3, "inf", 3.0), (4, "out-of-range", 4.0), (5, "out-of-range", 5.0)]
    assert result.drops[1].value == -math.inf
    assert parser.stats[0].dropped == {"nan": 1, "inf": 1, "out-of-range": 2}


def test_a_lazy_group_with_nothing_after_it_captures_nothing():
    parser = LogParser([M("loss", r"loss=(.*?)")])
    assert len(parse_all(parser, "loss=0.5\n")) == 0
    assert parser.stats[0].dropped == {"empty": 1}


def test_a_regex_without_a_group_yields_nothing():
    parser = LogParser([M("loss", r"loss=\S+"), M("ok", r"loss=(\S+)")])
    result = parse_all(parser, "loss=0.5\n")
    assert result.metric.tolist() == [1]
    assert parser.stats[0].matches == 0


def test_a_regex_that_does_not_compile_is_disabled_and_the_others_go_on():
    parser = LogParser([M("broken", r"loss=([0-9]+"), M("ok", r"loss=(\S+)")])
    assert "broken" in parser.stats[0].disabled and "compile" in parser.stats[0].disabled
    assert parse_all(parser, "loss=0.5\n").value.tolist() == [0.5]


def test_caret_anchors_each_line_and_dollar_each_line_end():
    parser = LogParser([M("a", r"^loss=(\d+)$")])
    result = parse_all(parser, "loss=1\n  loss=2\nloss=3 \nloss=4")
    assert result.value.tolist() == [1.0, 4.0]


def test_whitespace_classes_never_reach_into_the_next_line():
    # On one line "Valid_error =" has nothing after it; \s* must not swallow the newline.
    parser = LogParser([M("v", r"Valid_error\s*=\s*(\S+)"), M("w", r"w=([^;]*);")])
    result = parse_all(parser, "Valid_error =\n0.5\nw=1\n2;\n")
    assert len(result) == 0


def test_lone_carriage_return_is_escaped_and_crlf_is_a_line_break():
    parser = LogParser([M("loss", r"loss=([0-9.]+)#015"), M("acc", r"acc=([0-9.]+)$")])
    result = parse_all(parser, "loss=0.5\racc=0.7\r\nacc=0.8\r\n")
    assert result.value.tolist() == [0.5, 0.7, 0.8]
    assert result.line.tolist() == [1, 1, 2]


def test_ansi_colour_codes_are_stripped_before_matching():
    parser = LogParser([M("loss", r"loss: ([0-9.]+) ")])
    result = parse_all(parser, "\x1b[34mloss: \x1b[0m0.25 done\n")
    assert result.value.tolist() == [0.25]


def test_invalid_utf8_never_stops_parsing():
    parser = LogParser([M("loss", r"loss=([0-9.]+)")])
    result = parse_all(parser, b"loss=1 \xff\xfe\nloss=\xc3(2\nloss=3\n")
    assert result.value.tolist() == [1.0, 3.0]
    assert parser.lines == 3


def test_lone_surrogates_from_surrogateescape_text_do_not_stop_parsing():
    text = b"loss=1 \xff\nloss=2\n".decode("utf-8", "surrogateescape")
    defs = [M("loss", r"loss=(\d+)")]
    assert run(LogParser(defs), [text]) == run(ReferenceParser(defs), [text])
    assert run(LogParser(defs), [text])["rows"][1][1] == 2


def test_chunks_split_mid_line_and_mid_character_give_the_same_points():
    text = read("keras.log").replace("loss", "lössé").encode("utf-8")
    defs = [M("loss", r"lössé: " + NUMBER), M("acc", r"accuracy: " + NUMBER)]
    whole = run(ReferenceParser(defs), [text])
    chunks = [text[k:k + 7] for k in range(0, len(text), 7)]
    assert run(LogParser(defs), chunks) == whole
    assert whole["rows"]


def test_line_numbers_continue_across_feeds():
    parser = LogParser([M("loss", r"loss=(\d+)")])
    assert parser.feed("a\nloss=1\nlo").line.tolist() == [2]
    assert parser.feed("ss=2\nb\n").line.tolist() == [3]
    assert parser.finish().line.tolist() == []
    assert parser.lines == 4


def test_timestamp_of_a_feed_goes_to_every_line_it_completes():
    parser = LogParser([M("loss", r"loss=(\d+)")])
    parser.feed("loss=1\nloss=", timestamp=10.0)
    result = parser.feed("2\n", timestamp=20.0)
    assert result.timestamp.tolist() == [20.0]


def test_cloudwatch_event_holding_a_newline_is_still_one_line():
    ref = ReferenceParser([M("v", r"v=\s*(\d+)")])
    fast = LogParser([M("v", r"v=\s*(\d+)")])
    events = ["v=\n1", "v=2"]
    assert list(fast.feed_lines(events).rows())[0][:3] == (0, 1, 1.0)
    assert list(ref.feed_lines(events).rows())[0][:3] == (0, 1, 1.0)


def test_leading_dot_star_twin_is_anchored_at_the_line_start():
    twin = line_local(r".*\[[0-9]+\].*#011train-rmse:([0-9.]+)")
    assert twin.match("ab\n[1]#011train-rmse:2", 3) is not None
    assert twin.match("ab\n[1]#011train-rmse:2", 4) is None  # not a line start
    assert line_local("a\nb") is None  # a literal newline: searched line by line


def test_parse_log_returns_a_dataframe_with_index_steps_per_metric():
    defs = [{"Name": "loss", "Regex": r" - loss: " + NUMBER},
            {"Name": "val_loss", "Regex": r" - val_loss: " + NUMBER}]
    frame = parse_log(read("keras.log"), defs)
    assert list(frame.columns) == ["line", "metric", "value", "step"]
    assert frame[frame.metric == "val_loss"].step.tolist() == [0.0, 1.0, 2.0]
    assert frame[frame.metric == "loss"].step.tolist() == [0.0, 1.0, 2.0, 3.0]
    assert frame.line.iloc[0] == 3


def test_parse_log_with_a_step_definition_uses_its_latest_value():
    frame = parse_log(read("huggingface.log"), json.dumps([{"Name": "loss", "Regex": r"\{'loss': ([0-9.]+)"}]),
                      step_definition=r"'epoch': ([0-9.]+)")
    assert frame.step.tolist() == [0.13, 0.5, 0.77]
    assert np.issubdtype(frame.value.dtype, np.floating)


def test_public_export_is_the_same_function():
    import metricwidgets

    assert metricwidgets.parse_log is parse_log
    assert metricwidgets.LogParser is LogParser


@pytest.mark.parametrize("name", ["xgboost_local.log", "linear_learner.log", "keras.log",
                                  "huggingface.log", "pytorch_mnist.log", "sagemaker_doc.log"])
def test_real_logs_parse_exactly_as_the_reference(name):
    defs = [M("a", r"loss[\"']?[:=]\s*" + NUMBER), M("b", r"#011(\S+?)-rmse:(\S+)"),
            M("c", r"<(?:loss|score)>=(\S+)"), M("d", r"Valid_error\s*=\s*(.*?);"),
            M("e", r"(?<=epoch)[=:'\s]+([0-9.]+)")]
    text = read(name)
    assert run(LogParser(defs), [text[:50], text[50:]]) == run(ReferenceParser(defs), [text])


# -- parse_log says what it cannot do (issue 14, items 5 and 7) -------------------------

def test_parse_log_raises_for_a_regex_sagemaker_would_refuse():
    from metricwidgets.core.parsing import DefinitionError

    with pytest.raises(DefinitionError, match="does not compile"):
        parse_log("loss=1\n", [M("loss", r"loss=(\d")])


def test_parse_log_raises_for_duplicate_names_instead_of_merging_two_series():
    from metricwidgets.core.parsing import DefinitionError

    with pytest.raises(DefinitionError, match="used by another definition"):
        parse_log("loss=1 acc=2\n", [M("m", r"loss=(\d)"), M("m", r"acc=(\d)")])


def test_parse_log_warns_about_a_regex_without_a_group_and_parses_the_others():
    from metricwidgets.core.parsing import DefinitionWarning

    with pytest.warns(DefinitionWarning, match="no capture group"):
        frame = parse_log("loss=1\n", [M("gpt", "<><><><><><>"), M("loss", r"loss=(\d)")])
    assert frame["metric"].tolist() == ["loss"]
    assert any("'gpt'" in w for w in frame.attrs["warnings"])


def test_parse_log_warns_about_a_definition_disabled_by_the_time_budget():
    from metricwidgets.core.parsing import DefinitionWarning

    text = "a" * 3000 + "!\nloss=1\n"
    with pytest.warns(DefinitionWarning, match="was disabled"):
        frame = parse_log(text, [M("bad", r"(a|aa)+$"), M("loss", r"loss=(\d)")])
    assert frame["metric"].tolist() == ["loss"]
    assert any("'bad' was disabled" in w for w in frame.attrs["warnings"])


def test_parse_log_of_none_is_one_clear_input_error():
    from metricwidgets.errors import InputError

    with pytest.raises(InputError, match="must be str or bytes, got NoneType"):
        parse_log(None, [M("loss", r"loss=(\d)")])
