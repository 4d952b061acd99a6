"""Metric definitions: every shape read, written back, and SageMaker's limits validated."""

from __future__ import annotations

import json

import pytest

from metricwidgets.core.parsing import (
    DefinitionError,
    MetricDefinition,
    definitions_from_job,
    definitions_to_json,
    definitions_to_sagemaker,
    load_definitions,
    parse_pair,
    validate_definitions,
)
from metricwidgets.errors import InputError

XGB = r".*\[[0-9]+\].*#011validation-rmse:([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?).*"


def test_sagemaker_json_shape_round_trips():
    shape = [{"Name": "validation:rmse", "Regex": XGB}, {"Name": "train:error", "Regex": "Train_error=(.*?);"}]
    defs = load_definitions(json.dumps(shape))
    assert defs == [MetricDefinition("validation:rmse", XGB), MetricDefinition("train:error", "Train_error=(.*?);")]
    assert definitions_to_sagemaker(defs) == shape
    assert json.loads(definitions_to_json(defs)) == shape


def test_name_regex_pair_splits_at_the_first_equals_sign():
    assert parse_pair(r"valid=Valid_error\s*=\s*(.*?);") == MetricDefinition("valid", r"Valid_error\s*=\s*(.*?);")


@pytest.mark.parametrize("text", ["no-equals-sign", "=regex-without-name"])
def test_pair_without_a_name_is_an_input_error(text):
    with pytest.raises(InputError, match="NAME=REGEX"):
        parse_pair(text)


def test_job_description_definitions_are_read():
    job = {"TrainingJobName": "xgb-1", "AlgorithmSpecification": {
        "TrainingImage": "xgboost", "MetricDefinitions": [{"Name": "validation:rmse", "Regex": XGB}]}}
    assert definitions_from_job(job) == [MetricDefinition("validation:rmse", XGB)]
    assert load_definitions(job) == [MetricDefinition("validation:rmse", XGB)]


def test_a_file_path_mapping_and_estimator_are_read(tmp_path):
    path = tmp_path / "defs.json"
    path.write_text(json.dumps([{"Name": "loss", "Regex": "loss=(\\S+)"}]))
    assert load_definitions(str(path)) == [MetricDefinition("loss", "loss=(\\S+)")]
    assert load_definitions(path) == [MetricDefinition("loss", "loss=(\\S+)")]
    assert load_definitions({"acc": "acc=(\\S+)"}) == [MetricDefinition("acc", "acc=(\\S+)")]

    class Estimator:
        metric_definitions = [{"Name": "loss", "Regex": "loss=(\\S+)"}]

    assert load_definitions(Estimator()) == [MetricDefinition("loss", "loss=(\\S+)")]


def test_invalid_json_file_is_a_clear_error(tmp_path):
    path = tmp_path / "defs.json"
    path.write_text("[{not json")
    with pytest.raises(DefinitionError, match="not valid JSON"):
        load_definitions(str(path))


def test_valid_definitions_have_no_problems():
    assert validate_definitions([MetricDefinition("validation:rmse", XGB)]) == []


def test_syntax_error_names_the_definition_and_points_at_the_position():
    (problem,) = validate_definitions([MetricDefinition("loss", "loss=([0-9]+")])
    assert problem.name == "loss" and problem.position == 5
    assert "metric definition 'loss'" in str(problem)
    assert str(problem).splitlines()[-1].index("^") - 4 == 5  # the caret sits under '('


def test_each_sagemaker_limit_is_reported():
    defs = [MetricDefinition("", "a=(1)"), MetricDefinition("x" * 256, "a=(1)"),
            MetricDefinition("dup", "a=(1)"), MetricDefinition("dup", "b=(1)"),
            MetricDefinition("long", "(" + "a" * 500 + ")"), MetricDefinition("nogroup", "loss=\\S+")]
    reasons = [(p.name, p.reason) for p in validate_definitions(defs)]
    assert any(n == "" and "1 to 255" in r for n, r in reasons)
    assert any(n == "x" * 256 and "256 characters" in r for n, r in reasons)
    assert any(n == "dup" and "used by another" in r for n, r in reasons)
    assert any(n == "long" and "502 characters" in r for n, r in reasons)
    assert any(n == "nogroup" and "no capture group" in r for n, r in reasons)


def test_more_than_forty_definitions_is_refused():
    defs = [MetricDefinition(f"m{k}", f"m{k}=(\\S+)") for k in range(41)]
    (problem,) = validate_definitions(defs)
    assert problem.name is None and "at most 40" in str(problem)


# -- bad definition files: one line, the same in every door (issue 14, item 7) -----------

def test_a_definitions_file_that_is_not_utf8_is_one_clear_line(tmp_path):
    path = tmp_path / "defs.json"
    data = b'[{"Name": "loss", "Regex": "loss=(\\\\S+)\xff"}]'
    path.write_bytes(data)
    bad = data.index(b"\xff")
    with pytest.raises(DefinitionError) as caught:
        load_definitions(str(path))
    assert str(caught.value) == (f"{path}: not UTF-8 text (byte {bad}); save the definitions "
                                 f"as UTF-8 JSON")
    with pytest.raises(DefinitionError, match="not UTF-8 text"):
        load_definitions(path)  # a Path, as the CLI and the magics pass it


def test_a_missing_definitions_file_says_so_whether_given_as_text_or_path(tmp_path):
    missing = tmp_path / "missing.json"
    for given in (str(missing), missing, "missing.json"):
        with pytest.raises(DefinitionError) as caught:
            load_definitions(given)
        assert str(caught.value).endswith("missing.json: no such definitions file")


def test_a_pair_is_still_read_when_it_looks_nothing_like_a_path():
    assert load_definitions("loss=loss=(\\S+)") == [MetricDefinition("loss", "loss=(\\S+)")]
    with pytest.raises(DefinitionError, match="expected NAME=REGEX"):
        load_definitions("loss")
