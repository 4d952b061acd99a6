"""Suggested definitions on real framework log lines: safe, anchored, verified."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from metricwidgets.core.parsing import escape_text
from metricwidgets.core.authoring import lint_definitions
from metricwidgets.testing.reference import ReferenceParser
from metricwidgets.core.parsing import load_definitions, validate_definitions
from metricwidgets.core.authoring import MAX_SUGGESTIONS, suggest_definitions

# Lines as the frameworks print them (tabs are real tabs: SageMaker turns them into #011).
XGBOOST = ("[2023-05-02:10:01:12:INFO] Train matrix has 3000 rows and 8 columns\n"
           "[0]\ttrain-rmse:1.23456\tvalidation-rmse:1.30001\n"
           "[1]\ttrain-rmse:0.98765\tvalidation-rmse:1.10203\n"
           "[2]\ttrain-rmse:7.5e-01\tvalidation-rmse:9.1e-01\n")
KERAS = ("Epoch 1/2\n"
         "1875/1875 [==============================] - 3s 2ms/step - loss: 0.2924 - "
         "accuracy: 0.9155 - val_loss: 0.1532 - val_accuracy: 0.9540\n"
         "Epoch 2/2\n"
         "1875/1875 [==============================] - 3s 2ms/step - loss: 0.1411 - "
         "accuracy: 0.9581 - val_loss: 0.1101 - val_accuracy: 0.9667\n")
HUGGING_FACE = ("{'loss': 0.6931, 'learning_rate': 3.44e-05, 'epoch': 0.5}\n"
                "{'eval_loss': 0.5912, 'eval_accuracy': 0.7061, 'eval_runtime': 1.2345, "
                "'epoch': 1.0}\n")
LINEAR_LEARNER = (
    "#quality_metric: host=algo-1, epoch=0, train binary_classification_cross_entropy_objective"
    " <loss>=0.4812\n"
    "#quality_metric: host=algo-1, epoch=1, train binary_classification_cross_entropy_objective"
    " <loss>=0.3511\n"
    "#quality_metric: host=algo-1, validation binary_f_1.000 <score>=0.912\n")
PYTORCH_MNIST = ("Train Epoch: 1 [0/60000 (0%)]\tLoss: 2.300860\n"
                 "Train Epoch: 1 [640/60000 (1%)]\tLoss: 2.213405\n"
                 "\nTest set: Average loss: 0.0341, Accuracy: 9890/10000 (99%)\n")
DOC = "Train_error=0.138318;  Valid_error = 0.324557;"


def values(text, suggestions, name):
    """What SageMaker's rules (the reference parser) capture for ``name`` on ``text``."""
    definitions = load_definitions(suggestions)
    index = [d.name for d in definitions].index(name)
    parser = ReferenceParser(definitions)
    result = parser.feed(text)
    result = type(result).concat([result, parser.finish()])
    return [v for m, _, v, _, _ in result.rows() if m == index]


def by_name(suggestions):
    return {s["Name"]: s["Regex"] for s in suggestions}


def test_xgboost_octal_tab_metrics_keep_exponents():
    got = suggest_definitions(XGBOOST)
    assert list(by_name(got)) == ["train:rmse", "validation:rmse"]
    assert "#011" in by_name(got)["train:rmse"]
    assert values(XGBOOST, got, "train:rmse") == [1.23456, 0.98765, 0.75]
    assert values(XGBOOST, got, "validation:rmse") == [1.30001, 1.10203, 0.91]


def test_keras_loss_is_anchored_so_it_does_not_take_val_loss():
    got = suggest_definitions(KERAS)
    assert set(by_name(got)) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert values(KERAS, got, "loss") == [0.2924, 0.1411]
    assert values(KERAS, got, "val_loss") == [0.1532, 0.1101]
    assert values("1/1 - val_loss: 0.5", got, "loss") == []


def test_hugging_face_dicts_keep_the_learning_rate_exponent():
    got = suggest_definitions(HUGGING_FACE)
    assert list(by_name(got)) == ["loss", "learning_rate", "epoch", "eval_loss",
                                  "eval_accuracy", "eval_runtime"]
    assert values(HUGGING_FACE, got, "learning_rate") == [3.44e-05]
    assert values(HUGGING_FACE, got, "loss") == [0.6931]  # not eval_loss's 0.5912
    assert values(HUGGING_FACE, got, "epoch") == [0.5, 1.0]


def test_linear_learner_quality_metric_lines():
    got = suggest_definitions(LINEAR_LEARNER)
    names = by_name(got)
    assert list(names) == ["train:binary_classification_cross_entropy_objective",
                           "validation:binary_f_1.000"]
    assert values(LINEAR_LEARNER, got,
                  "train:binary_classification_cross_entropy_objective") == [0.4812, 0.3511]
    assert values(LINEAR_LEARNER, got, "validation:binary_f_1.000") == [0.912]


def test_pytorch_mnist_tab_separated_loss_and_test_loss_are_distinct():
    got = suggest_definitions(PYTORCH_MNIST)
    names = by_name(got)
    assert {"Loss", "Epoch", "loss"} <= set(names)
    assert values(PYTORCH_MNIST, got, "Loss") == [2.30086, 2.213405]
    assert values(PYTORCH_MNIST, got, "loss") == [0.0341]
    assert "Accuracy" not in names  # 9890/10000 is a ratio, not a value


def test_doc_example_tolerates_spaces_around_equals():
    got = suggest_definitions(DOC)
    assert list(by_name(got)) == ["Train_error", "Valid_error"]
    assert values(DOC, got, "Valid_error") == [0.324557]
    assert values("Valid_error=0.5;", got, "Valid_error") == [0.5]


def test_suggestions_pass_validation_and_lint_on_their_own_sample():
    for sample in (XGBOOST, KERAS, HUGGING_FACE, LINEAR_LEARNER, PYTORCH_MNIST, DOC):
        got = suggest_definitions(sample)
        assert got
        assert validate_definitions(load_definitions(got)) == []
        assert [w for w in lint_definitions(got, sample) if w.severity == "warning"] == []


def test_text_without_metrics_gives_nothing():
    noise = ("2023-01-01 12:00:00,123 INFO version=1.2.3 host=algo-1 http://x:80/\n"
             "<img src=x onerror=alert(1)>\nDownloading data... done\n")
    assert suggest_definitions(noise) == []
    assert suggest_definitions("") == []


def test_names_are_unique_and_at_most_forty():
    text = "\n".join(f"m{k}={k}.5 m{k}: {k}" for k in range(100))
    got = suggest_definitions(text)
    names = [s["Name"] for s in got]
    assert len(names) == MAX_SUGGESTIONS == 40
    assert len(set(names)) == len(names)


def test_every_regex_captures_a_number_on_some_line_of_the_sample():
    for sample in (XGBOOST, KERAS, HUGGING_FACE, LINEAR_LEARNER, PYTORCH_MNIST):
        lines = escape_text(sample).split("\n")
        for s in suggest_definitions(sample):
            captured = [m.group(1) for m in map(re.compile(s["Regex"]).search, lines) if m]
            assert captured and all(float(c) == float(c) for c in captured)


DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.mark.parametrize("log, expected", [
    ("xgboost_local.log", ["train:rmse", "validation:rmse"]),
    ("xgboost_cloudwatch.log", ["train:rmse", "validation:rmse"]),
    ("keras.log", ["loss", "accuracy", "val_loss", "val_accuracy"]),
    ("huggingface.log", ["loss", "learning_rate", "epoch", "eval_loss", "eval_accuracy"]),
    ("linear_learner.log", ["train:binary_classification_cross_entropy_objective",
                            "validation:binary_classification_cross_entropy_objective"]),
    ("pytorch_mnist.log", ["Loss", "loss"]),
    ("sagemaker_doc.log", ["Train_error", "Valid_error"]),
])
def test_real_framework_logs_give_their_metrics_and_not_settings(log, expected):
    text = (DATA / log).read_text(encoding="utf-8", errors="replace")
    got = suggest_definitions(text)
    names = [s["Name"] for s in got]
    assert set(expected) <= set(names)
    # Settings and records are not metrics: "Num examples = 25000", "#metrics {...}", file:line.
    assert not {"examples", "Epochs", "size", "StartTime", "sum", "cpu_feature_guard.cc",
                "batch"} & set(names)
    for name in expected:
        assert values(text, got, name), name


def test_real_xgboost_suggestions_equal_sagemakers_own_regexes_on_the_log():
    text = (DATA / "xgboost_cloudwatch.log").read_text(encoding="utf-8")
    builtin = json.loads((DATA / "xgboost_definitions.json").read_text())
    got = suggest_definitions(text)
    for name in ("train:rmse", "validation:rmse"):
        assert values(text, got, name) == values(text, builtin, name) != []
