"""Grouping metric names into charts, colours per job, direction from the name."""

from __future__ import annotations

import pytest

from metricwidgets.core.pairing import (
    HIGHER, LOWER, direction_of, group_metrics, split_role)


@pytest.mark.parametrize("name, role, quantity", [
    ("train:error", "train", "error"),
    ("validation:error", "validation", "error"),
    ("val_loss", "validation", "loss"),
    ("valid_acc", "validation", "acc"),
    ("eval_f1", "validation", "f1"),
    ("test_loss", "test", "loss"),
    ("train-rmse", "train", "rmse"),
    ("validation-rmse", "validation", "rmse"),
    ("Train_error", "train", "error"),
    ("loss_val", "validation", "loss"),
    ("loss", None, "loss"),
    ("value_loss", None, "value_loss"),
])
def test_split_role(name, role, quantity):
    assert split_role(name) == (role, quantity)


def groups_of(names):
    return {g.quantity.lower(): g.members for g in group_metrics(names)}


def test_sagemaker_train_and_validation_share_a_chart():
    assert groups_of(["train:error", "validation:error"]) == {
        "error": [("train:error", "train"), ("validation:error", "validation")]}


def test_keras_bare_name_is_the_training_series_of_its_val_twin():
    assert groups_of(["loss", "val_loss", "acc", "val_acc"]) == {
        "loss": [("loss", "train"), ("val_loss", "validation")],
        "acc": [("acc", "train"), ("val_acc", "validation")]}


def test_pairing_ignores_case_and_separators():
    groups = group_metrics(["Train_error", "valid-error", "eval:error"])
    assert len(groups) == 1
    assert [r for _, r in groups[0].members] == ["train", "validation", "validation"]


def test_unpaired_metric_gets_its_own_chart_in_order_of_appearance():
    groups = group_metrics(["lr", "train-rmse", "validation-rmse"])
    assert [g.quantity for g in groups] == ["lr", "rmse"]
    assert groups[0].members == [("lr", None)]


@pytest.mark.parametrize("name, direction", [
    ("validation:error", LOWER), ("val_loss", LOWER), ("train-rmse", LOWER),
    ("mae", LOWER), ("perplexity", LOWER), ("val_accuracy", HIGHER), ("auc", HIGHER),
    ("eval_f1", HIGHER), ("val_mAP", HIGHER), ("precision", HIGHER), ("recall", HIGHER),
    ("top1_accuracy", HIGHER), ("learning_rate", None),
])
def test_direction_from_the_name(name, direction):
    assert direction_of(name) == direction


def test_direction_override_wins_by_name_or_quantity():
    assert direction_of("score_error", {"score_error": "higher"}) == HIGHER
    groups = group_metrics(["train:error", "validation:error"], {"error": "max"})
    assert groups[0].direction == HIGHER
    with pytest.raises(ValueError):
        direction_of("loss", {"loss": "sideways"})
