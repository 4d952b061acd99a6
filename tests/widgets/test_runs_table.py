"""RunsTable on jobs listed from the stand-in (moto over HTTP), without a kernel."""

from __future__ import annotations

import re

import pytest

import metricwidgets
from metricwidgets.widgets.runs_table import RunsTable
from tests.waiting import wait_until

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
    assert table.grid.sort == {"column": "hp:lr", "ascending": False}
    table.grid.sort = {"column": "hp:lr", "ascending": True}  # a header clicked in the browser
    assert _shown_names(table) == jobs


def test_filter_and_column_chooser(table, jobs):
    table.filter.value = "SGD"
    assert _shown_names(table) == [jobs[0]]
    assert len(table.grid.rows) == 1
    assert table.page_label.value.startswith("1 job,")
    table.filter.value = ""
    assert table.page_label.value.startswith("3 jobs,")
    table.columns.value = ("name", "hp:lr")
    assert table.shown_columns == ["name", "hp:lr"]
    assert [c["name"] for c in table.grid.columns] == ["name", "hp:lr"]
    assert [c["numeric"] for c in table.grid.columns] == [False, True]
    assert "adam" not in table.grid.rows[0]


def test_best_row_by_the_chosen_metric_is_highlighted(table):
    errors = dict(zip(table.frame["name"], table.frame["final:validation:error"]))
    table.metric.value = "final:validation:error"  # error: lower is better
    best = min(errors, key=errors.get)
    assert table.best_name() == best
    assert table.grid.names[table.grid.best] == best
    assert table.grid.rows[table.grid.best][0] == best


def test_ticked_rows_are_overlaid_and_leave_without_a_rebuild(table, jobs):
    names = _shown_names(table)
    # As the browser reports ticks: the grid's list of ticked names.
    table.grid.selected = [names[0]]
    table.grid.selected = [names[0], names[1]]
    plot = table.plot
    assert plot is not None and table.plot_box.children == (plot,)
    assert plot.job_names == names[:2]
    table.grid.selected = [names[1]]
    assert plot.job_names == names[1:2] and table.plot is plot
    table.select(names)
    assert plot.job_names == [names[1], names[0], names[2]] and table.plot is plot
    assert sorted(table.grid.selected) == sorted(names)
    assert plot.wait(60)
    assert {k.source for k in plot.watch.store.keys()} == set(jobs)


def _svg_words(bundle) -> str:
    """The picture's text, its pieces joined (the legend wraps long job names)."""
    return "".join(re.findall(r">([^<]+)<", bundle.get("image/svg+xml", "")))


def test_the_tables_output_carries_its_overlays_picture_and_keeps_it_on_close(table, jobs):
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    InteractiveShell.instance()
    view = "application/vnd.jupyter.widget-view+json"
    with capture_output() as shown:
        table._ipython_display_()  # what a cell's end does
    [first] = shown.outputs
    assert first.data[view]["model_id"] == table.model_id
    assert first.data["text/plain"] == "RunsTable of 3 jobs"
    assert "image/svg+xml" not in first.data  # nothing ticked: no chart to picture yet
    def both_jobs_pictured():
        return [o.data for o in updates.outputs
                if all(name in _svg_words(o.data) for name in jobs[:2])]

    with capture_output() as updates:
        table.select(jobs[:2])
        assert table.plot.wait(60)
        # The finished picture may be published by the poller's thread, just after.
        wait_until(both_jobs_pictured, 30, what="a picture of both ticked jobs")
    finished = both_jobs_pictured()[-1]
    assert finished[view]["model_id"] == table.model_id  # still the live table
    assert finished["text/plain"].startswith("RunsTable of 3 jobs; ticked: LivePlot of ")
    with capture_output() as closing:
        table.close()
    closed = closing.outputs[-1].data
    assert view not in closed and all(name in _svg_words(closed) for name in jobs[:2])


def test_a_frame_without_names_is_one_line_not_a_traceback():
    import pandas as pd

    table = RunsTable(pd.DataFrame({"x": [1]}), plot_factory=lambda names: None)
    assert "name" in table.message.value and "\n" not in table.message.value


def test_cells_read_as_numbers_times_and_text():
    import pandas as pd

    from metricwidgets.widgets.runs_table import cell_text, column_texts

    frame = pd.DataFrame({"created": pd.to_datetime(["2026-12-06 05:04:01.222+00:00"]),
                          "duration_s": [660.061], "count": [12345], "lr": [1e-5],
                          "name": ["job"]})
    texts = column_texts(frame, list(frame.columns))
    # The created time ends at the second: it cannot run into the duration beside it.
    assert texts["created"] == ["2026-12-06 05:04:01"]
    assert texts["duration_s"] == ["660.1"] and texts["count"] == ["12,345"]
    assert texts["lr"] == ["1.00e-05"] and texts["name"] == ["job"]
    column = column_texts(pd.DataFrame({"v": [0.0851, 0.9, 0.12]}), ["v"])["v"]
    assert column == ["0.0851", "0.9000", "0.1200"]  # one number of decimals: they line up
    assert cell_text(float("nan")) == "" and cell_text(2.0) == "2" and cell_text(0.24) == "0.24"
