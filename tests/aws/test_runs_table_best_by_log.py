"""The runs table's "best by" offers the ``log:`` columns a backfill adds, each with the
direction its metric's name gives (core/pairing.py), on jobs written to the stand-in."""

from __future__ import annotations

import time

import pandas as pd
import pytest

from metricwidgets.widgets.runs_table import RunsTable, metric_choices
from tests.waiting import wait_until

pytestmark = pytest.mark.aws

#: job -> (best eval_f1, lowest loss) its log holds.
BEST = {"a": (0.81, 0.30), "b": (0.94, 0.45), "c": (0.62, 0.12)}


@pytest.fixture(scope="module")
def jobs(standin):
    prefix = f"best-by-log-{int(time.time())}"
    start = time.time() - 900
    for job, (f1, loss) in BEST.items():
        lines = [f"[{i}] eval_f1={f1 - (9 - i) / 100:.2f} loss={loss + (9 - i) / 10:.2f}"
                 for i in range(10)]
        standin.write_logs(f"{prefix}-{job}", "algo-1", lines,
                           [start + k for k in range(len(lines))])
    return {f"{prefix}-{job}": values for job, values in BEST.items()}


def _filled(table, backfill, column):
    wait_until(lambda: not backfill.thread.is_alive(), 60, what="the backfill")
    assert table.frame[column].notna().all()


def test_log_columns_are_offered_and_the_best_row_follows_their_direction(jobs, standin):
    names = list(jobs)
    rows = pd.DataFrame({"name": names, "status": "Completed",
                         "final:train:loss": [0.5, 0.4, 0.6]})
    table = RunsTable(rows, plot_factory=lambda names: None, **standin.aws_kwargs)
    assert table.metric.value == "final:train:loss"
    f1 = table.add_log_column("eval_f1", r"eval_f1=([0-9.]+)", how="max")
    _filled(table, f1, "log:eval_f1")
    loss = table.add_log_column("loss", r"loss=([0-9.]+)", how="min")
    _filled(table, loss, "log:loss")
    assert table.metric.options == (("(none)", None), ("train:loss", "final:train:loss"),
                                    ("log:eval_f1", "log:eval_f1"), ("log:loss", "log:loss"))
    assert table.metric.value == "final:train:loss"  # the user's choice is kept
    table.metric.value = "log:eval_f1"  # f1: higher is better
    best_f1 = max(jobs, key=lambda job: jobs[job][0])
    assert table.best_name() == best_f1 and table.grid.names[table.grid.best] == best_f1
    table.metric.value = "log:loss"  # loss: lower is better
    best_loss = min(jobs, key=lambda job: jobs[job][1])
    assert table.best_name() == best_loss and table.grid.names[table.grid.best] == best_loss
    table.close()


def test_a_table_without_final_metrics_is_best_by_its_first_log_column(jobs, standin):
    table = RunsTable(pd.DataFrame({"name": list(jobs), "status": "Completed"}),
                      plot_factory=lambda names: None, **standin.aws_kwargs)
    assert table.metric.value is None and table.grid.best == -1
    backfill = table.add_log_column("loss", r"loss=([0-9.]+)", how="min")
    _filled(table, backfill, "log:loss")
    assert table.metric.value == "log:loss"
    assert table.best_name() == min(jobs, key=lambda job: jobs[job][1])
    table.close()


def test_choices_name_final_metrics_by_their_name_and_log_columns_whole():
    assert metric_choices(["name", "final:f1", "hp:lr", "log:f1"]) == [
        ("(none)", None), ("f1", "final:f1"), ("log:f1", "log:f1")]
