"""The source factory: which status and data source watch a job, and kinds registered later.

Sources are only built here (no call leaves without a poll); the tests that poll run against
the moto stand-in on 127.0.0.1.
"""

from __future__ import annotations

import pytest

from metricwidgets.errors import InputError
from metricwidgets.polling.watch import Watch
from metricwidgets.sources import factory
from metricwidgets.sources.aws import AWSOptions
from metricwidgets.sources.cloudwatch_logs import CloudWatchLogsSource
from metricwidgets.sources.cloudwatch_metrics import CloudWatchMetricsSource
from metricwidgets.sources.cloudwatch_utilization import CloudWatchUtilizationSource
from metricwidgets.sources.factory import (DataSourceRequest, data_source_kinds, job_sources,
                                           register_data_source)
from metricwidgets.sources.local_file import LocalFileSource
from metricwidgets.sources.sagemaker_job import SageMakerJobSource
from metricwidgets.options import MetricOptions

OPTIONS = AWSOptions(region="us-east-1", endpoint_url="http://127.0.0.1:9")


@pytest.fixture
def builders(monkeypatch):
    """The registry as it is, restored after the test (a registration is process-wide)."""
    monkeypatch.setattr(factory, "_BUILDERS", dict(factory._BUILDERS))


def test_the_built_in_kinds_come_first_in_order():
    assert data_source_kinds()[:3] == ("logs", "metrics", "system")


@pytest.mark.parametrize("kind, cls", [("logs", CloudWatchLogsSource),
                                       ("metrics", CloudWatchMetricsSource),
                                       ("system", CloudWatchUtilizationSource)])
def test_each_kind_gets_its_data_source_and_the_status_comes_from_describe(kind, cls):
    status, data = job_sources("job-1", OPTIONS, kind, describe_interval=2.5)
    assert type(data) is cls and data.job_name == "job-1" and data.options is OPTIONS
    assert type(status) is SageMakerJobSource
    assert (status.name, status.interval, status.options) == ("job-1", 2.5, OPTIONS)


def test_logs_is_the_default_and_resumes_from_a_cursor():
    cursor = {"streams": {"job-1/algo-1-1700000000": "f/123"}}
    _, data = job_sources("job-1", OPTIONS, cursor=cursor)
    assert type(data) is CloudWatchLogsSource
    assert data.cursor["streams"] == cursor["streams"]


def test_an_unknown_kind_is_one_input_error_naming_the_kinds():
    with pytest.raises(InputError) as caught:
        job_sources("job-1", OPTIONS, "tensorboard")
    assert str(caught.value) == ("source must be 'logs' or 'metrics' or 'system', "
                                 "not 'tensorboard'")


def test_a_registered_kind_is_built_with_the_whole_request(builders, tmp_path):
    requests = []

    def builder(request):
        requests.append(request)
        return LocalFileSource(tmp_path / "train.log")

    register_data_source("file", builder)
    assert data_source_kinds() == ("logs", "metrics", "system", "file")
    clients, directory = {"logs": object()}, object()
    _, data = job_sources("job-1", OPTIONS, "file", cursor={"at": 1}, clients=clients,
                          directory=directory)
    assert type(data) is LocalFileSource
    assert requests == [DataSourceRequest("job-1", OPTIONS, clients, {"at": 1}, directory)]
    assert requests[0].clients is clients and requests[0].directory is directory
    assert "'file'" in str(pytest.raises(InputError, job_sources, "j", OPTIONS, "x").value)


def test_registering_a_kind_again_replaces_its_builder(builders):
    register_data_source("logs", lambda request: CloudWatchMetricsSource(request.name,
                                                                         request.options))
    _, data = job_sources("job-1", OPTIONS)
    assert type(data) is CloudWatchMetricsSource
    assert data_source_kinds().count("logs") == 1


@pytest.mark.aws
def test_a_registered_kind_reaches_a_watch_of_a_real_job(builders, standin, job_name,
                                                         tmp_path):
    log = tmp_path / "train.log"
    log.write_text("epoch=1 loss=0.5\nepoch=2 loss=0.25\n")
    register_data_source("file", lambda request: LocalFileSource(log))
    standin.create_job(job_name, secondary_status="Training")
    watch = Watch.for_job(job_name, MetricOptions.from_keywords([{"Name": "loss", "Regex": r"loss=([0-9.]+)"}], source="file", **standin.aws_kwargs), start=False)
    try:
        watch.poll_once()
        assert watch.last_error is None, list(watch.messages)
        assert watch.statuses[job_name].status == "InProgress"  # DescribeTrainingJob's
        assert watch.store.to_dataframe()["value"].tolist() == [0.5, 0.25]  # the file's
    finally:
        watch.close()


@pytest.mark.aws
def test_the_data_source_calls_through_the_clients_it_is_given(standin, job_name):
    standin.create_job(job_name, secondary_status="Training")
    standin.write_logs(job_name, "algo-1", ["loss=0.5"])
    shared = standin.client("logs")
    seen = []

    def count(model, **_):
        seen.append(model.name)

    shared.meta.events.register("before-call.cloudwatch-logs", count)
    try:
        _, data = job_sources(job_name, AWSOptions(**standin.aws_kwargs),
                              clients={"logs": shared})
        data.poll()
        assert "DescribeLogStreams" in seen and "GetLogEvents" in seen
    finally:
        shared.meta.events.unregister("before-call.cloudwatch-logs", count)
