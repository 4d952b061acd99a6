"""The header says every fact once, folds a tuning job's children, and speaks plainly while
waiting. Rendered from real JobStatus objects and a real MetricStore."""

from __future__ import annotations

import collections
import html
import os
import re
import sys
import types

from metricwidgets.core.store import MetricStore, SeriesKey
from metricwidgets.polling import Watch, WatchedJob
from metricwidgets.polling.messages import WatchMessage
from metricwidgets.sources.base import JobStatus
from metricwidgets.sources.cloudwatch_metrics import CloudWatchMetricsSource
from metricwidgets.sources.local_utilization import GpuReader, LocalUtilizationSource
from metricwidgets.widgets.liveplot import ChartSettings
from metricwidgets.widgets.liveplot import render_header
from metricwidgets.widgets.liveplot import InstancesPanel
from tests.waiting import wait_until
from metricwidgets.options import MetricOptions
from metricwidgets.sources.aws import AWSOptions


def watch_of(*statuses, messages=(), tuning=False):
    """The Watch state the header reads; ``tuning``: the first status is a tuning job's."""
    return types.SimpleNamespace(name=statuses[0].name if statuses else "job",
                                 statuses={s.name: s for s in statuses}, store=MetricStore(),
                                 messages=list(messages), error=None,
                                 definition_stats=dict,
                                 tuning_job_name=statuses[0].name if tuning else None)


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
    text = render_header(watch_of(parent, *children, tuning=True), now=0.0)
    assert "<details class='metricwidgets-children'>" in text
    assert "8 training jobs: 5 completed, 3 in progress" in text
    assert text.count("metricwidgets-status") == 1  # one status line, the parent's


def test_jobs_compared_are_peers_counted_together_and_their_final_metrics_folded():
    jobs = [JobStatus(name=f"variant-{i}", status="Completed", start_time=0.0, end_time=60.0,
                      final_metrics={"train:error": 0.1, "validation:error": 0.2})
            for i in range(3)]
    text = render_header(watch_of(*jobs), now=100.0)
    assert "3 training jobs: 3 completed" in text  # every job counted, none the headline
    assert "metricwidgets-status" not in text
    assert "<details class='metricwidgets-final-folded'><summary>final metrics (6 values)" \
        in text
    one = render_header(watch_of(jobs[0]), now=100.0)
    assert "metricwidgets-final-folded" not in one and "FinalMetricDataList" in one


# ---------------------------------------------------------------- every fact once, per state
def said(header: str) -> str:
    """The header's words, tables left out (their rows repeat by design), the children's
    summary line kept."""
    text = re.sub(r"<table.*?</table>", " ", header, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", text))


def assert_every_fact_once(header: str, *facts: str) -> None:
    """No two-word phrase said twice (a repeated status, duration, reason, name or note
    repeats one), and each of ``facts`` said exactly once."""
    words = [w for w in said(header).split() if re.search(r"\w", w)]
    pairs = collections.Counter(zip(words, words[1:]))
    assert not [p for p, n in pairs.items() if n > 1], said(header)
    for fact in facts:
        assert said(header).count(fact) == 1, (fact, said(header))


def test_completed_once():
    status = JobStatus(name="job-a", status="Completed", secondary_status="Completed",
                       message="Training job completed", start_time=100.0, end_time=190.0,
                       billable_seconds=90)
    assert_every_fact_once(render_header(watch_of(status), now=500.0), "job-a", "Completed",
                           "1m 30s")


def test_running_once():
    status = JobStatus(name="job-a", status="InProgress", secondary_status="Training",
                       message="Training image download completed. Training in progress.",
                       start_time=100.0)
    assert_every_fact_once(render_header(watch_of(status), now=130.0), "job-a", "InProgress",
                           "Training in progress")


def test_waiting_once():
    status = JobStatus(name="job-a", status="InProgress", secondary_status="Starting",
                       message="Preparing the instances for training")
    assert_every_fact_once(render_header(watch_of(status), now=0.0), "job-a",
                           "no metric values yet")
    assert_every_fact_once(render_header(watch_of(), now=0.0), "waiting")


def test_failed_names_reason_and_exit_code_once():
    reason = "AlgorithmError: out of memory"
    status = JobStatus(name="job-a", status="Failed", secondary_status="Failed",
                       message=reason, failure_reason=reason, start_time=1.0, end_time=4.0,
                       billable_seconds=3)
    message = WatchMessage("error", f"job-a failed: {reason}", 0.0)
    text = render_header(watch_of(status, messages=[message]), now=9.0)
    assert_every_fact_once(text, "job-a", "out of memory", "3s")
    assert said(text).lower().count("failed") == 1


def test_stopped_once():
    status = JobStatus(name="job-a", status="Stopped", secondary_status="Stopped",
                       message="Stopped by the user", start_time=1.0, end_time=61.0,
                       billable_seconds=60)
    assert_every_fact_once(render_header(watch_of(status), now=99.0), "job-a", "1m 00s")


def test_a_tuning_job_names_each_failed_child_and_says_unmatched_definitions_once():
    parent = JobStatus(name="hpo", status="InProgress", start_time=0.0)
    children = [JobStatus(name=f"hpo-{i}", status="Failed" if i == 2 else "InProgress",
                          failure_reason="ClientError: bad hyperparameter" if i == 2 else None)
                for i in range(4)]
    stats = {n: types.SimpleNamespace(disabled=None, matches=0, dropped={}, examples={})
             for n in ("train:error", "validation:error")}
    watch = watch_of(parent, *children, tuning=True)
    watch.definition_stats = lambda: stats
    text = render_header(watch, now=10.0)
    assert_every_fact_once(text, "hpo-2 failed: ClientError: bad hyperparameter",
                           "matched no line yet", "3 in progress")


def test_a_local_command_says_its_exit_once(tmp_path, poller):
    for code, fact in ((0, "exited with code 0"), (3, "exited with code 3")):
        watch = Watch.for_command([sys.executable, "-c", f"print('loss=0.5'); exit({code})"], MetricOptions.from_keywords([{"Name": "loss", "Regex": r"loss=([0-9.]+)"}]), poller=poller)
        try:
            assert watch.wait(60)
            name = watch.name
            text = render_header(watch, last_update=watch.statuses[name].end_time)
            assert_every_fact_once(text, name, fact)
        finally:
            watch.close()


def test_a_local_file_once(tmp_path, poller):
    log = tmp_path / "train.log"
    log.write_text("loss=0.5\nloss=0.25\n")
    watch = Watch.for_file(log, MetricOptions.from_keywords([{"Name": "loss", "Regex": r"loss=([0-9.]+)"}]), poller=poller)
    try:
        wait_until(lambda: sum(map(len, watch.store.snapshots())) == 2, 30,
                   what="the file's two points")
        assert_every_fact_once(render_header(watch, last_update=1.0), watch.name, "loss: 2")
    finally:
        watch.close()


def test_the_metrics_source_names_cloudwatch_averages_once():
    status = JobStatus(name="job-a", status="Completed", start_time=0.0, end_time=60.0,
                       final_metrics={"train:error": 0.25})
    watch = watch_of(status)
    watch.sources = [CloudWatchMetricsSource("job-a", AWSOptions())]
    watch.store.add_points(SeriesKey("job-a", "all", "train:error"), [float("nan")], [30.0],
                           [0.375])
    text = render_header(watch, last_update=60.0, now=90.0)
    assert_every_fact_once(text, "CloudWatch averages (1 min) train:error")
    assert "parsed from the logs" not in text and "last of the CloudWatch averages" in text


def test_the_instances_panel_says_no_gpu_once_for_every_host():
    reader = GpuReader()
    reader.note = "no GPU (the NVIDIA driver sees none)"  # what a machine without GPUs says
    reader.count = 0
    sources = [LocalUtilizationSource(os.getpid(), "run", host=h, gpus=reader)
               for h in ("algo-1", "algo-2")]
    watch = Watch([WatchedJob(f"run-{i}", s) for i, s in enumerate(sources)], start=False)
    panel = InstancesPanel(watch)
    try:
        panel.update(ChartSettings())
        info = html.unescape(re.sub(r"<[^>]+>", "", panel.info.value))
        assert info.count("no GPU") == 1, info
        assert "algo-1, algo-2" in info, info
    finally:
        panel.close()
