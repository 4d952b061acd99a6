"""Diagnoses from the logs alone: overfitting, divergence, NaN/Inf, plateau."""

from __future__ import annotations

import math
import re
import subprocess
import sys

import numpy as np
import pytest

from metricwidgets.core.diagnostics import (
    SeriesData, detect_divergence, detect_nonfinite, detect_overfitting, detect_plateau,
    diagnose_group)
from metricwidgets.core.pairing import HIGHER, LOWER, group_metrics


def data(values, steps=None, nonfinite=()):
    values = np.asarray(values, np.float64)
    steps = np.arange(len(values), dtype=np.float64) if steps is None else np.asarray(steps, float)
    return SeriesData(steps, values, list(nonfinite))


@pytest.fixture(scope="module")
def digits_log():
    """The real example training script's output (it overfits on purpose)."""
    out = subprocess.run([sys.executable, "-m", "metricwidgets.examples.train_digits",
                          "--epochs", "30"], capture_output=True, text=True, timeout=120,
                         check=True).stdout
    train, valid = [], []
    for line in out.splitlines():
        match = re.search(r"Train_error=([0-9.]+);\s+Valid_error=([0-9.]+);", line)
        if match:
            train.append(float(match[1]))
            valid.append(float(match[2]))
    return np.array(train), np.array(valid)


def test_overfitting_of_a_real_training_run_begins_at_validations_best(digits_log):
    train, valid = digits_log
    group = group_metrics(["train:error", "validation:error"])[0]
    found = diagnose_group(group, {"train:error": data(train), "validation:error": data(valid)})
    over = [d for d in found if d.kind == "overfitting"]
    assert len(over) == 1
    assert over[0].step == float(np.argmin(valid))
    assert over[0].metric == "validation:error"
    assert f"{len(valid) - 1 - int(np.argmin(valid))} evaluations ago" in over[0].text
    assert "still improves" in over[0].text


def test_no_overfitting_while_validation_keeps_improving():
    train = np.linspace(1.0, 0.1, 30)
    valid = np.linspace(1.2, 0.3, 30)
    assert detect_overfitting("t", data(train), "v", data(valid), LOWER) is None


def test_overfitting_needs_patience_evaluations_since_the_best():
    train = np.linspace(1.0, 0.1, 10)
    valid = np.array([1.0, 0.8, 0.6, 0.5, 0.4, 0.35, 0.3, 0.25, 0.31, 0.33])
    assert detect_overfitting("t", data(train), "v", data(valid), LOWER, patience=3) is None
    valid = np.append(valid, 0.36)
    found = detect_overfitting("t", data(np.linspace(1, 0.05, 11)), "v", data(valid), LOWER)
    assert found is not None and found.step == 7.0


def test_overfitting_of_a_higher_is_better_metric():
    train = np.linspace(0.5, 0.99, 20)
    valid = np.concatenate([np.linspace(0.5, 0.9, 10), np.linspace(0.89, 0.8, 10)])
    found = detect_overfitting("acc", data(train), "val_acc", data(valid), HIGHER)
    assert found is not None and found.step == 9.0


def test_overfitting_aligns_series_evaluated_at_different_steps():
    train_steps = np.arange(0, 1000, 10.0)
    train = 1.0 / (1 + train_steps / 100)
    valid_steps = np.arange(100, 1000, 100.0)
    valid = np.array([0.6, 0.5, 0.45, 0.47, 0.5, 0.55, 0.6, 0.62, 0.65])
    found = detect_overfitting("t", data(train, train_steps), "v", data(valid, valid_steps),
                               LOWER)
    assert found is not None and found.step == 300.0


def test_divergence_when_loss_climbs_far_above_its_running_minimum():
    loss = np.concatenate([np.linspace(2.3, 0.2, 50), [0.25, 0.3, 5.0, 9.0, 20.0]])
    found = detect_divergence("loss", data(loss), LOWER)
    assert found is not None and found.step == 52.0 and found.severity == "error"


def test_noise_above_the_minimum_is_not_divergence():
    rng = np.random.default_rng(3)
    loss = np.linspace(2.3, 0.5, 200) + rng.normal(0, 0.05, 200)
    assert detect_divergence("loss", data(loss), LOWER) is None


def test_a_recovered_spike_is_not_divergence():
    loss = np.concatenate([np.linspace(2.3, 0.2, 50), [9.0, 9.0, 0.19, 0.18]])
    assert detect_divergence("loss", data(loss), LOWER) is None


def test_accuracy_collapse_is_divergence():
    acc = np.concatenate([np.linspace(0.1, 0.95, 30), [0.3, 0.2, 0.1]])
    found = detect_divergence("acc", data(acc), HIGHER)
    assert found is not None and found.step == 30.0


def test_nan_capture_is_reported_at_its_step_and_line():
    found = detect_nonfinite("loss", data([1.0, 0.5], nonfinite=[(40.0, 812, "nan"),
                                                                (41.0, 815, "+inf")]))
    assert found.step == 40.0 and "line 812" in found.text and "NAN" in found.text
    assert math.isnan(found.value)
    assert detect_nonfinite("loss", data([1.0, 0.5])) is None


def test_plateau_begins_where_progress_stopped():
    loss = np.concatenate([np.linspace(1.0, 0.2, 40), np.full(60, 0.2)])
    found = detect_plateau("loss", data(loss), LOWER)
    assert found is not None and found.step == pytest.approx(39.0, abs=1)
    assert detect_plateau("loss", data(np.linspace(1, 0.1, 100)), LOWER) is None


def test_no_diagnosis_without_a_direction_or_enough_points():
    assert detect_plateau("lr", data(np.full(100, 0.1)), None) is None
    assert detect_divergence("x", data([1.0, 5.0]), LOWER) is None


def test_a_diverged_metric_is_not_also_called_a_plateau():
    loss = np.concatenate([np.linspace(2.3, 0.2, 30), np.full(40, 50.0)])
    group = group_metrics(["loss"])[0]
    kinds = [d.kind for d in diagnose_group(group, {"loss": data(loss)})]
    assert kinds == ["divergence"]
