"""The metrics watch and the utilization watch of one job share its DescribeTrainingJob
calls: one a describe interval for the job, whichever watch polls first, and each watch
still sees every new status (counted with the call log, on the moto stand-in)."""

from __future__ import annotations

import pytest

from metricwidgets.options import MetricOptions
from metricwidgets.polling import Watch, WatchedJob
from metricwidgets.sources.aws import AWSOptions
from metricwidgets.sources.factory import job_sources
from metricwidgets.sources.sagemaker_job import SageMakerJobSource
from metricwidgets.testing.job_lines import SIMPLE_DEFINITIONS
from metricwidgets.polling.utilization_watch import system_watch_for_job
from tests.waiting import FakeClock

pytestmark = pytest.mark.aws


def metrics_watch(name, calls, clock):
    """A job's metrics watch whose status source reads ``clock`` (Watch.for_job's would read
    the wall clock)."""
    options = AWSOptions(**calls.aws)
    status = SageMakerJobSource(name, options, interval=10.0, clock=clock)
    _status, data = job_sources(name, options, "logs", status=status)
    return Watch([WatchedJob(name, data, status)], start=False)


def test_two_watches_of_a_running_job_describe_it_once_per_interval(standin, job_name,
                                                                    calls):
    standin.create_job(job_name, SIMPLE_DEFINITIONS, instance_type="ml.g5.12xlarge")
    standin.set_status(job_name, "InProgress", "Training")
    clock = FakeClock(1000.0)
    metrics = metrics_watch(job_name, calls, clock)
    system = system_watch_for_job(job_name, start=False, beside=metrics,
                                  options=MetricOptions.from_keywords(**calls.aws))
    try:
        for second in range(30):  # both watches polled every second for 30 s
            if second == 25:
                standin.finish_job(job_name, "Completed")
            metrics.poll_once()
            system.poll_once()
            clock.now += 1.0
        # Described at 0, 10 and 20 s (the job ended at 25 s: the next is due at 30 s).
        assert calls.count("DescribeTrainingJob") == 3
        metrics.poll_once()
        system.poll_once()
        assert calls.count("DescribeTrainingJob") == 4  # at 30 s: Completed, for both
        for watch in (metrics, system):
            assert watch.statuses[job_name].status == "Completed"
        # The utilization watch learnt the instance type from the shared answer.
        assert system.sources[0].devices.gpus == 4
        metrics.poll_once()
        system.poll_once()
        assert calls.count("DescribeTrainingJob") == 4  # a finished job is not described
    finally:
        metrics.close()
        system.close()


def test_a_live_plot_of_a_finished_job_describes_it_once(standin, job_name, calls):
    from metricwidgets.widgets.liveplot import LivePlot
    from tests.waiting import wait_until

    standin.write_finished_job(job_name, lines_per_host=20, instance_count=2, seconds=600,
                               instance_type="ml.g5.12xlarge")
    plot = LivePlot.for_job(job_name, **calls.aws)
    try:
        wait_until(lambda: plot.watch.finished and plot.instances.watch.finished,
                   timeout=60, what="both watches")
        assert plot.instances.watch.statuses[job_name].status == "Completed"
        # Two watches, one DescribeTrainingJob (each made its own before they shared).
        assert calls.count("DescribeTrainingJob") == 1
    finally:
        plot.close()
