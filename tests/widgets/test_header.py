"""The header says every fact once, folds a tuning job's children, and speaks plainly while
waiting. Rendered from real JobStatus objects and a real MetricStore."""

from __future__ import annotations

import types

from metricwidgets.core.store import MetricStore
from metricwidgets.polling.messages import WatchMessage
from metricwidgets.sources.base import JobStatus
from metricwidgets.widgets.header import render_header


def watch_of(*statuses, messages=()):
    return types.SimpleNamespace(name=statuses[0].name if statuses else "job",
                                 statuses={s.name: s for s in statuses}, store=MetricStore(),
                                 messages=list(messages), error=None,
                                 definition_stats=dict)


def test_a_finished_run_states_status_and_exit_code_once():
    status = JobStatus(name="run", status="Completed", secondary_status="Completed",
                       message="exited with code 0", exit_code=0, start_time=100.0,
                       end_time=105.0)
    text = render_header(watch_of(status), now=200.0)
    assert text.count("Completed") == 1
    assert text.count("code 0") == 1


def test_a_failure_reason_is_shown_once():
    reason = "AlgorithmError: out of memory"
    status = JobStatus(name="job", status="Failed", secondary_status="Failed", message=reason,
                       failure_reason=reason)
    message = WatchMessage("error", f"job failed: {reason}", 0.0)
    text = render_header(watch_of(status, messages=[message]), now=0.0)
    assert text.count("out of memory") == 1


def test_waiting_speaks_plainly():
    text = render_header(watch_of(), now=0.0)
    assert "no points yet" not in text and "points no" not in text
    assert "no metric values yet" in text and "waiting" in text


def test_a_tuning_jobs_children_fold_into_one_table():
    parent = JobStatus(name="hpo", status="InProgress")
    children = [JobStatus(name=f"hpo-{i}", status="Completed" if i < 5 else "InProgress")
                for i in range(8)]
    text = render_header(watch_of(parent, *children), now=0.0)
    assert "<details class='metricwidgets-children'>" in text
    assert "8 training jobs: 5 completed, 3 inprogress" in text
    assert text.count("metricwidgets-status") == 1  # one status line, the parent's
