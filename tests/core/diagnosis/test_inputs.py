"""``metricwidgets.diagnose``: the same findings from a DataFrame, a store or a plot."""

from __future__ import annotations

import pathlib

import numpy as np
import pandas as pd
import pytest

import metricwidgets
from metricwidgets.core.diagnosis import diagnose_store
from metricwidgets.core.parsing import Drop, ParseResult
from metricwidgets.core.store import MetricStore, SeriesKey
from metricwidgets.errors import InputError

DATA = pathlib.Path(__file__).resolve().parents[2] / "data"


def test_a_parse_log_frame_of_the_quickstart_gives_its_overfitting():
    frame = metricwidgets.parse_log((DATA / "train_digits.log").read_text(),
                                    str(DATA / "sagemaker_doc_definitions.json"))
    found = metricwidgets.diagnose(frame)
    assert [(f.kind, f.metric, f.step, f.severity) for f in found] == [
        ("overfitting", "validation:error", 3.0, "warning")]


def test_a_frame_with_hosts_is_diagnosed_per_host_errors_first():
    rows = []
    for host, bad in (("algo-1", False), ("algo-2", True)):
        for step in range(12):
            value = 0.1 * 10 ** (step - 8) if bad and step > 8 else 1.0 / (1 + step)
            rows.append({"host": host, "metric": "train:loss", "step": float(step),
                         "value": value})
    rows.append({"host": "algo-1", "metric": "train:loss", "step": 12.0, "value": np.nan})
    found = metricwidgets.diagnose(pd.DataFrame(rows))
    assert [(f.kind, f.host) for f in found] == [("nonfinite", "algo-1"),
                                                 ("divergence", "algo-2")]
    assert found[0].step == 12.0


def test_a_store_keeps_nan_captures_as_findings():
    store = MetricStore()
    key = SeriesKey("job-1", "algo-1", "train:loss")
    store.add_points(key, [0.0, 1.0, 2.0], [np.nan] * 3, [1.0, 0.8, 0.6], [1, 2, 3])
    store.add_result("job-1", "algo-1", ["train:loss"],
                     ParseResult(drops=[Drop(0, 4, "nan", "nan", np.nan, np.nan)]))
    found = diagnose_store(store)
    assert [(f.kind, f.job, f.host, f.step) for f in found] == [
        ("nonfinite", "job-1", "algo-1", 2.0)]


def test_anything_else_is_one_clear_error():
    with pytest.raises(InputError, match="cannot diagnose a list"):
        metricwidgets.diagnose([1, 2])
    with pytest.raises(InputError, match="without column"):
        metricwidgets.diagnose(pd.DataFrame({"metric": ["x"], "value": [1.0]}))
