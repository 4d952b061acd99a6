"""The stand-in itself: what it writes looks like SageMaker's, and its command serves demos."""

from __future__ import annotations

import selectors
import signal
import socket
import subprocess
import sys

import pytest

from metricwidgets.api import fetch_job_metrics

pytestmark = pytest.mark.aws


def test_played_lines_use_sagemaker_stream_names_and_octal_escapes(standin, job_name):
    standin.play_job(job_name, lines_per_host=3, interval=0.01, kind="xgboost",
                     background=False)
    logs = standin.client("logs")
    streams = logs.describe_log_streams(logGroupName="/aws/sagemaker/TrainingJobs",
                                        logStreamNamePrefix=job_name + "/")["logStreams"]
    names = sorted(s["logStreamName"] for s in streams)
    assert len(names) == 2
    for host, name in zip(("algo-1", "algo-2"), names):
        prefix, epoch = name.rsplit("-", 1)
        assert prefix == f"{job_name}/{host}" and epoch.isdigit() and len(epoch) == 10
    events = logs.get_log_events(logGroupName="/aws/sagemaker/TrainingJobs",
                                 logStreamName=names[0], startFromHead=True)["events"]
    assert events[0]["message"].startswith("[0]#011train-rmse:")
    assert "\t" not in events[0]["message"]
    description = standin.client("sagemaker").describe_training_job(TrainingJobName=job_name)
    assert description["TrainingJobStatus"] == "Completed"
    assert description["AlgorithmSpecification"]["MetricDefinitions"][0]["Name"] == "train:rmse"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_standin_command_prints_shell_exports_endpoint_first_and_serves_demo_jobs(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "metricwidgets.testing", "--port", str(port), "--demo-jobs"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        selector = selectors.DefaultSelector()
        selector.register(process.stdout, selectors.EVENT_READ)
        assert selector.select(timeout=60), "no endpoint printed"
        first = process.stdout.readline().strip()
        endpoint = f"http://127.0.0.1:{port}"
        assert first == f"export METRICWIDGETS_ENDPOINT_URL={endpoint}"
        announced = []
        while not announced or not announced[-1].startswith("# jobs: "):
            assert selector.select(timeout=120), f"the demo jobs were not announced: {announced}"
            announced.append(process.stdout.readline().strip())
        exports = dict(line.removeprefix("export ").split("=", 1)
                       for line in [first] + announced if line.startswith("export "))
        assert exports["METRICWIDGETS_REGION"] == "us-east-1"
        assert exports["AWS_ACCESS_KEY_ID"] == exports["AWS_SECRET_ACCESS_KEY"] == "testing"
        assert any("fake" in line and line.startswith("#") for line in announced)
        # Every line is shell: pasted (here: sourced by sh), it sets what it printed.
        shell = subprocess.run(["sh", "-c", "\n".join([first] + announced)
                                + "\necho $METRICWIDGETS_ENDPOINT_URL $AWS_DEFAULT_REGION"],
                               capture_output=True, text=True, timeout=30)
        assert shell.returncode == 0, shell.stderr
        assert shell.stdout.split() == [endpoint, "us-east-1"]
        frame = fetch_job_metrics("demo-completed-xgboost", endpoint_url=endpoint,
                                  region="us-east-1")
        assert set(frame.host) == {"algo-1", "algo-2"}
        assert len(frame[frame.metric == "validation:rmse"]) == 400
        process.send_signal(signal.SIGINT)  # Ctrl-C ends it cleanly
        assert process.wait(20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def test_tuning_children_report_the_tuning_objective_not_their_first_metric(standin, job_name):
    tuning = job_name[:24]
    child = f"{tuning}-001"
    standin.create_tuning_job(tuning, objective="validation:error")
    standin.add_tuning_child(tuning, child)
    standin.finish_job(child, "Completed",
                       final_metrics={"train:error": 0.01, "validation:error": 0.2})

    summaries = standin.client("sagemaker").list_training_jobs_for_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=tuning)["TrainingJobSummaries"]

    objective = summaries[0]["FinalHyperParameterTuningJobObjectiveMetric"]
    assert objective["MetricName"] == "validation:error"
    assert objective["Value"] == pytest.approx(0.2, rel=1e-6)


def test_a_job_recorded_again_in_the_same_process_replaces_the_first_recording(standin, job_name):
    # Notebook 06 run twice in one kernel: a second stand-in (moto's state is per process)
    # records the same jobs again, seconds later, so their streams get other names.
    from metricwidgets.testing.standin import StandIn

    standin.write_finished_job(job_name, lines_per_host=30, instance_count=1, seed=0)
    again = StandIn(port=standin.port, region=standin.region)  # not started: the same server
    again.write_finished_job(job_name, lines_per_host=30, instance_count=1, seed=0,
                             seconds=500.0)

    logs = fetch_job_metrics(job_name, **standin.aws_kwargs)
    published = fetch_job_metrics(job_name, source="metrics", **standin.aws_kwargs)
    assert logs.groupby("metric").size().to_dict() == {"train:error": 30,
                                                       "validation:error": 30}
    assert published.groupby("metric").size().max() <= 30
