"""``metricwidgets watch`` on the stand-in: findings told as they appear, a job stopped on the
user's say-so (``--stop-on``), never by default, never in a dry run; and the stand-in's
``StopTrainingJob``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import pytest

from metricwidgets.testing.moto_stop import STOP_REQUESTS, STOP_TIMES
from tests.waiting import wait_until

pytestmark = pytest.mark.aws

#: The watch's poll interval in these tests (seconds).
INTERVAL = 1.0


def _watch(standin, *args):
    """Start ``metricwidgets watch`` in a process; its stdout lines are read as they come,
    each with the moment it arrived."""
    env = dict(os.environ, **standin.env)
    process = subprocess.Popen([sys.executable, "-m", "metricwidgets", "watch", *args,
                                "--interval", str(INTERVAL)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env)
    lines: list[tuple[float, str]] = []

    def read():
        for line in process.stdout:
            lines.append((time.monotonic(), line.rstrip("\n")))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return process, lines, reader


def _finish(process, reader, timeout=120):
    try:
        code = process.wait(timeout)
    finally:
        if process.poll() is None:
            process.kill()
    reader.join(10)
    return code, process.stderr.read()


def _status(standin, name):
    return standin.client("sagemaker").describe_training_job(TrainingJobName=name)


def test_a_diverging_job_is_stopped_once_within_a_poll_interval_of_the_finding(standin, job_name):
    player = standin.play_job(job_name, lines_per_host=80, interval=0.3, instance_count=1,
                              kind="diverging", publish_metrics=False)
    process, lines, reader = _watch(standin, job_name, "--stop-on", "divergence",
                                    "--format", "json")
    code, stderr = _finish(process, reader)
    assert code == 1, stderr
    events = [(t, json.loads(line)) for t, line in lines]
    found = [(t, e) for t, e in events if e["event"] == "finding" and e["kind"] == "divergence"]
    stops = [e for _, e in events if e["event"] == "stop"]
    assert found and all(e["job"] == job_name for _, e in found)  # train's and validation's
    assert len(stops) == 1 and stops[0]["kind"] == "divergence" and not stops[0]["dry_run"]
    assert "exploded" in stops[0]["reason"] and stops[0]["error"] is None
    assert STOP_REQUESTS[(standin.region, job_name)] == 1
    assert STOP_TIMES[(standin.region, job_name)] - found[0][0] < INTERVAL
    assert _status(standin, job_name)["TrainingJobStatus"] == "Stopped"
    assert player.lines_written < 80  # it wrote no more once stopped
    assert events[-1][1]["event"] == "end" and events[-1][1]["status"] == "Stopped"


def test_a_healthy_job_is_never_stopped(standin, job_name):
    standin.play_job(job_name, lines_per_host=40, interval=0.1, instance_count=2)
    process, lines, reader = _watch(standin, job_name, "--stop-on",
                                    "divergence,nonfinite,idle-gpu,stall")
    code, stderr = _finish(process, reader)
    assert code == 0, stderr
    assert STOP_REQUESTS[(standin.region, job_name)] == 0
    assert not any("stop" in line for _, line in lines[:-1])
    assert _status(standin, job_name)["TrainingJobStatus"] == "Completed"
    assert lines[-1][1].startswith(f"{job_name}: Completed; ")


def test_a_dry_run_says_what_it_would_stop_and_stops_nothing(standin, job_name):
    standin.play_job(job_name, lines_per_host=40, interval=0.1, instance_count=1,
                     kind="diverging", publish_metrics=False)
    process, lines, reader = _watch(standin, job_name, "--stop-on", "divergence", "--dry-run")
    code, stderr = _finish(process, reader)
    assert code == 1, stderr
    text = [line for _, line in lines]
    assert sum(line.startswith(f"dry run: would stop {job_name} (divergence)")
               for line in text) == 1
    assert any(line.startswith(f"error [{job_name} / algo-1]: train:error exploded")
               for line in text)
    assert STOP_REQUESTS[(standin.region, job_name)] == 0
    assert _status(standin, job_name)["TrainingJobStatus"] == "Completed"


def test_each_finding_is_printed_once_as_it_appears(standin, job_name):
    standin.play_job(job_name, lines_per_host=60, interval=0.1, instance_count=2,
                     kind="diverging", publish_metrics=False)
    process, lines, reader = _watch(standin, job_name, "--format", "json")
    code, _ = _finish(process, reader)
    assert code == 1
    findings = [json.loads(line) for _, line in lines if '"event": "finding"' in line]
    keys = [(f["kind"], f["job"], f["host"], f["metric"]) for f in findings]
    assert len(keys) == len(set(keys)) >= 2  # one divergence per host at the least
    assert {f["host"] for f in findings if f["kind"] == "divergence"} == {"algo-1", "algo-2"}


def test_an_unknown_stop_on_kind_is_one_line_and_exit_2(standin):
    process, lines, reader = _watch(standin, "any-job", "--stop-on", "divergence,boredom")
    code, stderr = _finish(process, reader)
    assert code == 2 and not lines
    assert stderr.strip() == ("metricwidgets watch: error: --stop-on: unknown finding kind(s) "
                              "boredom; choose among divergence, nonfinite, idle-gpu, stall")


def test_the_standin_stops_a_job_in_progress_and_refuses_a_finished_one(standin, job_name):
    client = standin.client("sagemaker")
    standin.create_job(job_name)
    standin.set_status(job_name, "InProgress", "Training")
    client.stop_training_job(TrainingJobName=job_name)
    assert _status(standin, job_name)["TrainingJobStatus"] in ("Stopping", "Stopped")
    wait_until(lambda: _status(standin, job_name)["TrainingJobStatus"] == "Stopped", 10)
    transitions = [t["Status"] for t in _status(standin, job_name)["SecondaryStatusTransitions"]]
    assert transitions[-2:] == ["Stopping", "Stopped"]
    with pytest.raises(client.exceptions.ClientError) as refused:
        client.stop_training_job(TrainingJobName=job_name)
    assert "in status Stopped" in str(refused.value)
    assert STOP_REQUESTS[(standin.region, job_name)] == 1
