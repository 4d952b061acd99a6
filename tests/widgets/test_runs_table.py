"""RunsTable on jobs listed from the stand-in (moto over HTTP), without a kernel."""

from __future__ import annotations

import pytest

import metricwidgets
from metricwidgets.widgets.runs_table import RunsTable

pytestmark = pytest.mark.aws


@pytest.fixture
def jobs(standin, job_name):
    names = [f"{job_name}-{i}" for i in range(3)]
    for i, name in enumerate(names):
        standin.write_finished_job(name, lines_per_host=12, instance_count=1, seed=i)
        standin.training_job(name).hyper_parameters = {"lr": str(0.1 * (i + 1)),
                                                       "optimizer": "adam" if i else "sgd"}
    return names


@pytest.fixture
def table(standin, jobs, job_name):
    frame = metricwidgets.list_jobs(name_contains=job_name, **standin.aws_kwargs)
    table = RunsTable(frame, **standin.aws_kwargs)
    yield table
    table.close()


def _shown_names(table):
    return [str(n) for n in table.view["name"]]


def test_rows_with_hyperparameters_and_final_metrics_sort_both_ways(table, jobs):
    assert {"hp:lr", "hp:optimizer", "final:validation:error"} <= set(table.shown_columns)
    assert sorted(_shown_names(table)) == sorted(jobs)
    table.sort_by("hp:lr")
    assert _shown_names(table) == jobs
    table.sort_by("hp:lr")  # again: the other way
    assert _shown_names(table) == jobs[::-1]
    assert "hp:lr ▼" in [b.description for b in table.header.children[1:]]


def test_filter_and_column_chooser(table, jobs):
    table.filter.value = "SGD"
    assert _shown_names(table) == [jobs[0]]
    assert len(table.body.children) == 1
    table.filter.value = ""
    table.columns.value = ("name", "hp:lr")
    assert table.shown_columns == ["name", "hp:lr"]
    assert [b.description for b in table.header.children[1:]] == ["name", "hp:lr"]
    assert "adam" not in table.body.children[0].children[1].value


def test_best_row_by_the_chosen_metric_is_highlighted(table):
    errors = dict(zip(table.frame["name"], table.frame["final:validation:error"]))
    table.metric.value = "final:validation:error"  # error: lower is better
    best = min(errors, key=errors.get)
    assert table.best_name() == best
    highlighted = [row.children[1].value for row in table.body.children
                   if "background" in row.children[1].value]
    assert len(highlighted) == 1 and best in highlighted[0]


def test_ticked_rows_are_overlaid_and_leave_without_a_rebuild(table, jobs):
    names = _shown_names(table)
    table.body.children[0].children[0].value = True
    table.body.children[1].children[0].value = True
    plot = table.plot
    assert plot is not None and table.plot_box.children == (plot,)
    assert plot.job_names == names[:2]
    table.body.children[0].children[0].value = False
    assert plot.job_names == names[1:2] and table.plot is plot
    table.select(names)
    assert plot.job_names == [names[1], names[0], names[2]] and table.plot is plot
    assert plot.wait(60)
    assert {k.source for k in plot.watch.store.keys()} == set(jobs)


def test_a_frame_without_names_is_one_line_not_a_traceback():
    import pandas as pd

    table = RunsTable(pd.DataFrame({"x": [1]}), plot_factory=lambda names: None)
    assert "name" in table.message.value and "\n" not in table.message.value
