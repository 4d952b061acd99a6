"""Diagnoses from the logs alone: overfitting, divergence, NaN/Inf, plateau, called on evidence.

Representative runs of each family of the labelled set (tests/data/diagnosis_runs/) are
pinned here; the benchmark (tests/benchmarks/bench_diagnostics.py) measures the whole set.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys

import numpy as np
import pytest

from metricwidgets.core.diagnosis import (
    SeriesData,
    detect_divergence,
    detect_nonfinite,
    detect_overfitting,
    detect_plateau,
    diagnose_group,
    overfitting_history,
)
from metricwidgets.core.pairing import HIGHER, LOWER, group_metrics
from tests.benchmarks.diagnosis_set import load_runs


def data(values, steps=None, nonfinite=()):
    values = np.asarray(values, np.float64)
    steps = np.arange(len(values), dtype=np.float64) if steps is None else np.asarray(steps, float)
    return SeriesData(steps, values, list(nonfinite))


def findings(run, upto=None):
    group = group_metrics(list(run.series))[0]
    series = {m: SeriesData(s[s <= upto] if upto is not None else s,
                            v[s <= upto] if upto is not None else v)
              for m, (s, v) in run.series.items()}
    return diagnose_group(group, series)


def kinds(found):
    return sorted(f.kind for f in found)


@pytest.fixture(scope="module")
def runs():
    return {run.id: run for run in load_runs()}


@pytest.fixture(scope="module")
def digits_log():
    """The quick-start's real training script (it overfits on purpose), 30 epochs."""
    out = subprocess.run([sys.executable, "-m", "metricwidgets.examples.train_digits",
                          "--epochs", "30"], capture_output=True, text=True, timeout=120,
                         check=True).stdout
    pairs = re.findall(r"Train_error=([0-9.]+);\s+Valid_error=([0-9.]+);", out)
    return np.array([float(t) for t, _ in pairs]), np.array([float(v) for _, v in pairs])


def _digits(train, valid, k):
    group = group_metrics(["train:error", "validation:error"])[0]
    return diagnose_group(group, {"train:error": data(train[:k]),
                                  "validation:error": data(valid[:k])})


# ---------------------------------------------------------------------- the quick-start
def test_quickstart_overfitting_is_found_at_its_true_start_in_plain_words(digits_log):
    train, valid = digits_log
    over = [f for f in _digits(train, valid, 30) if f.kind == "overfitting"]
    assert len(over) == 1
    best = int(np.argmin(valid))
    assert best == 3 and over[0].step == 3.0 and over[0].value == valid[3]
    assert over[0].metric == "validation:error" and over[0].severity == "warning"
    text = over[0].text
    assert text.startswith("overfitting: validation:error rose from its best 0.1196 (step 3) "
                           "to ")
    assert "while train:error kept falling (0.24 → 0.0167)" in text
    assert "gap" not in text and "-0." not in text  # no negative "gaps"


def test_findings_write_steps_in_full_with_separators_and_values_as_decimals(digits_log):
    # The quick-start's curves logged every 10 steps from step 10 on, as a long run logs.
    train, valid = digits_log
    steps = 10.0 + 10 * 390 * np.arange(len(valid), dtype=np.float64)  # 10, 3,910, ...
    group = group_metrics(["train:error", "validation:error"])[0]
    over = [f for f in diagnose_group(group, {"train:error": data(train, steps),
                                              "validation:error": data(valid, steps)})
            if f.kind == "overfitting"]
    assert len(over) == 1
    text = over[0].text
    assert "(step 11,710)" in text and "e+0" not in text
    assert "kept falling (0.24 → 0.0167)" in text
    assert "->" not in text


def test_divergence_and_nan_texts_say_steps_and_values_in_plain_decimals():
    values = [1.0 - 0.001 * i for i in range(200)] + [1.0 + 40.0 * i for i in range(1, 40)]
    steps = np.arange(len(values), dtype=np.float64) * 125.0
    found = detect_divergence("loss", data(values, steps), LOWER)
    assert found is not None
    assert re.search(r"at step \d{1,3}(,\d{3})+\b", found.text), found.text
    assert "e+0" not in found.text
    nan = detect_nonfinite("loss", data([0.5, 0.4, math.nan], [12000.0, 24000.0, 36000.0]))
    assert "at step 36,000" in nan.text


def test_plain_number_writes_numbers_as_a_person_would():
    from metricwidgets.core.diagnosis import plain_number

    assert [plain_number(v) for v in (11690.0, 0.016704, 0.24, 1234.5678, 0.0, -0.5)] == \
        ["11,690", "0.0167", "0.24", "1,235", "0", "-0.5"]
    assert plain_number(4.2e-05) == "4.2e-05" and plain_number(math.nan) == "NaN"
    assert plain_number(2.0e7) == "20,000,000"


def test_quickstart_healthy_first_epochs_are_not_flagged(digits_log):
    train, valid = digits_log
    # Up to epoch 10 validation has only wobbled within its noise around 0.12.
    for k in range(1, 11):
        assert not any(f.kind == "overfitting" for f in _digits(train, valid, k)), k


def test_quickstart_flag_never_flickers_and_keeps_its_start(digits_log):
    train, valid = digits_log
    shown = [next((f.step for f in _digits(train, valid, k) if f.kind == "overfitting"), None)
             for k in range(1, 31)]
    first = next(i for i, s in enumerate(shown) if s is not None)
    assert all(s == 3.0 for s in shown[first:])  # once on, on, always beginning at step 3


# ---------------------------------------------------------------------- overfitting
def test_no_call_while_validation_keeps_improving():
    assert detect_overfitting("t", data(np.linspace(1, 0.1, 30)), "v",
                              data(np.linspace(1.2, 0.3, 30)), LOWER) is None


def test_a_healthy_run_still_improving_is_not_flagged_after_three_evaluations(runs):
    # The old detector called this noisy, still-improving run overfitting (and then not).
    run = runs["gen-110-improving"]
    for end in np.unique(run.series["validation:loss"][0]):
        assert not any(f.kind == "overfitting" for f in findings(run, end))


def test_a_constant_train_validation_gap_is_not_overfitting(runs):
    for rid in [r for r in runs if r.endswith("constant-gap")]:
        assert "overfitting" not in kinds(findings(runs[rid])), rid


def test_no_call_on_fewer_evaluations_than_the_evidence_needs():
    train = np.linspace(1.0, 0.1, 5)
    valid = np.array([1.0, 0.5, 0.4, 0.6, 0.9])  # rising at the end, but 5 evaluations
    assert detect_overfitting("t", data(train), "v", data(valid), LOWER) is None


def test_a_very_short_run_is_never_flagged(runs):
    for rid in [r for r in runs if r.endswith("short")]:
        assert kinds(findings(runs[rid])) == [], rid


def test_generated_overfitting_is_found_at_its_known_start(runs):
    run = runs["gen-066-overfitting"]  # 200 evaluations, noise 5% of the rise
    over = [f for f in findings(run) if f.kind == "overfitting"]
    assert len(over) == 1
    assert abs(over[0].step - run.label["start"]) <= 0.15 * run.length


def test_overfitting_of_a_higher_is_better_metric_reads_fell():
    train = np.linspace(0.5, 0.99, 30)
    valid = np.concatenate([np.linspace(0.5, 0.9, 12), np.linspace(0.89, 0.7, 18)])
    found = detect_overfitting("acc", data(train), "val_acc", data(valid), HIGHER)
    assert found is not None and found.step == 11.0
    assert "val_acc fell from its best 0.9 (step 11)" in found.text
    assert "acc kept rising" in found.text


def test_overfitting_aligns_series_evaluated_at_different_steps():
    train_steps = np.arange(0, 2000, 10.0)
    train = 1.0 / (1 + train_steps / 100)
    valid_steps = np.arange(100, 2000, 100.0)
    valid = np.concatenate([[0.6, 0.5, 0.45], 0.45 + 0.02 * np.arange(1, 17)])
    found = detect_overfitting("t", data(train, train_steps), "v", data(valid, valid_steps),
                               LOWER)
    assert found is not None and found.step == 300.0


def test_validation_that_recovers_clearly_ends_the_call():
    train = np.linspace(1.0, 0.05, 40)
    valid = np.concatenate([np.linspace(1.0, 0.3, 10), np.linspace(0.32, 0.6, 10),
                            np.linspace(0.55, 0.1, 20)])  # double descent: a new, lower best
    evidence, ever = overfitting_history(data(train), data(valid), LOWER)
    assert ever and evidence is None


# ---------------------------------------------------------------------- divergence
def test_divergence_when_loss_explodes_orders_of_magnitude(runs):
    run = runs["gen-073-divergence"]  # x3 per step from step 12
    found = [f for f in findings(run) if f.kind == "divergence"]
    assert len(found) == 1 and found[0].severity == "error"
    assert found[0].step == pytest.approx(run.label["start"], abs=1)
    assert "exploded from its running level" in found[0].text


def test_a_steady_climb_of_x1_5_per_step_is_caught(runs):
    found = [f for f in findings(runs["gen-072-divergence"]) if f.kind == "divergence"]
    # It begins where the loss left twice its running level: two steps into the climb.
    assert found and 12 <= found[0].step <= 14


def test_noise_and_a_recovered_spike_are_not_divergence(runs):
    rng = np.random.default_rng(3)
    loss = np.linspace(2.3, 0.5, 200) + rng.normal(0, 0.05, 200)
    assert detect_divergence("loss", data(loss), LOWER) is None
    spike = np.concatenate([np.linspace(2.3, 0.2, 50), [9.0, 0.19, 0.18]])
    assert detect_divergence("loss", data(spike), LOWER) is None
    for rid in [r for r in runs if r.endswith("recovered-spike")]:
        assert "divergence" not in kinds(findings(runs[rid])), rid


def test_accuracy_collapse_is_divergence():
    acc = np.concatenate([np.linspace(0.1, 0.95, 30), [0.3, 0.08, 0.05]])
    found = detect_divergence("acc", data(acc), HIGHER)
    assert found is not None and found.step == 31.0 and "collapsed" in found.text


def test_nan_capture_is_reported_at_its_step_and_line():
    found = detect_nonfinite("loss", data([1.0, 0.5], nonfinite=[(40.0, 812, "nan"),
                                                                (41.0, 815, "+inf")]))
    assert found.step == 40.0 and "line 812" in found.text and "NAN" in found.text
    assert math.isnan(found.value) and found.severity == "error"
    assert detect_nonfinite("loss", data([1.0, 0.5])) is None


# ---------------------------------------------------------------------- plateau
def test_plateau_begins_where_progress_stopped():
    loss = np.concatenate([np.linspace(1.0, 0.2, 40), np.full(60, 0.2)])
    found = detect_plateau("loss", data(loss), LOWER)
    assert found is not None and found.step == pytest.approx(39.0, abs=2)
    assert found.severity == "info" and found.text.startswith("plateau: loss has not improved")
    assert detect_plateau("loss", data(np.linspace(1, 0.1, 100)), LOWER) is None


def test_no_diagnosis_without_a_direction_or_enough_points():
    assert detect_plateau("lr", data(np.full(100, 0.1)), None) is None
    assert detect_divergence("x", data([1.0, 5.0]), LOWER) is None


def test_a_diverged_metric_is_not_also_called_a_plateau():
    loss = np.concatenate([np.linspace(2.3, 0.2, 30), np.full(40, 50.0)])
    group = group_metrics(["loss"])[0]
    assert [d.kind for d in diagnose_group(group, {"loss": data(loss)}, "job-1", "algo-1")] \
        == ["divergence"]


def test_findings_carry_job_and_host_and_serialise_without_nan():
    group = group_metrics(["loss"])[0]
    found = diagnose_group(group, {"loss": data([1.0, 0.5], nonfinite=[(2.0, 3, "nan")])},
                           "job-1", "algo-2")
    assert (found[0].job, found[0].host) == ("job-1", "algo-2")
    assert found[0].to_dict() == {"kind": "nonfinite", "metric": "loss", "step": 2.0,
                                  "value": None, "text": found[0].text, "severity": "error",
                                  "job": "job-1", "host": "algo-2"}


# ---------------------------------------------------------------------- real curves
def test_real_runs_are_diagnosed_as_labelled(runs):
    real = [r for r in runs.values() if r.label["source"] != "generated"]
    assert len(real) >= 20
    for run in real:
        found = findings(run)
        over = [f for f in found if f.kind == "overfitting"]
        if run.truth == "overfitting":
            assert over and abs(over[0].step - run.label["start"]) <= 0.15 * run.length, run.id
        else:
            assert not over and not any(f.severity == "error" for f in found), run.id


def test_a_long_run_is_judged_in_median_blocks_and_keeps_its_start():
    rng = np.random.default_rng(5)
    steps = np.arange(20000, dtype=float)
    valid = 0.3 + 0.7 * np.exp(-steps / 1500) + 0.25 * np.clip((steps - 6000) / 14000, 0, None)
    truth = float(np.argmin(valid))
    valid = valid + rng.normal(0, 0.02, len(steps))
    train = 0.02 + 0.9 * np.exp(-steps / 6000) + rng.normal(0, 0.01, len(steps))
    found = detect_overfitting("t", data(train), "v", data(valid), LOWER)
    assert found is not None and abs(found.step - truth) <= 0.05 * len(steps)
    assert found.value == valid[int(found.step)]  # a real point of the series
