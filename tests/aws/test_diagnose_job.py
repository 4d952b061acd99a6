"""``metricwidgets diagnose --job NAME`` on the moto stand-in, over HTTP."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest

from metricwidgets.testing.job_lines import SIMPLE_DEFINITIONS

pytestmark = pytest.mark.aws

DIGITS = pathlib.Path(__file__).resolve().parents[1] / "data" / "train_digits.log"


def test_a_jobs_findings_per_host_with_exit_1_on_a_nan(standin, job_name):
    lines = DIGITS.read_text().splitlines()
    standin.create_job(job_name, SIMPLE_DEFINITIONS, instance_count=2)
    standin.set_status(job_name, "InProgress", "Training")
    standin.write_logs(job_name, "algo-1", lines)
    standin.write_logs(job_name, "algo-2", lines[:12] + ["Train_error=nan;  Valid_error=nan;"])
    standin.finish_job(job_name, "Completed")
    env = dict(os.environ, **standin.env)
    result = subprocess.run([sys.executable, "-m", "metricwidgets", "diagnose", "--job",
                             job_name, "--format", "json"],
                            check=False, capture_output=True, text=True, env=env,
                            timeout=120)
    assert result.returncode == 1, result.stderr
    found = {(f["kind"], f["metric"], f["host"]): f for f in json.loads(result.stdout)}
    over = found[("overfitting", "validation:error", "algo-1")]
    assert over["step"] == 3.0 and "rose from its best 0.1196 (step 3)" in over["text"]
    assert found[("nonfinite", "train:error", "algo-2")]["severity"] == "error"
    assert not any(kind == "overfitting" and host == "algo-2" for kind, _, host in found)


def test_an_unknown_job_is_one_line_and_exit_2(standin):
    env = dict(os.environ, **standin.env)
    result = subprocess.run([sys.executable, "-m", "metricwidgets", "diagnose", "--job",
                             "no-such-job"], check=False, capture_output=True, text=True, env=env,
                            timeout=120)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("metricwidgets diagnose: error: training job 'no-such-job'")
