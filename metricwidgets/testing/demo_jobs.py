"""What ``python -m metricwidgets.testing --demo-jobs`` serves: jobs in every state, and how to
point a shell at them.

The stand-in's stdout is meant to be pasted into a shell: ``export NAME=value`` lines (the
endpoint first), then ``#`` comments that say what the fake credentials are and which jobs
exist. A Jupyter started from that shell then talks to the stand-in, never to AWS.
"""

from __future__ import annotations

import shlex
import threading
from collections.abc import Mapping

__all__ = [
    "DEMO_JOBS",
    "create_demo_jobs",
    "credentials_note",
    "export_lines",
    "replay_live_job",
]

#: The jobs ``--demo-jobs`` serves (``demo-live`` is replayed as ``demo-live-N`` forever).
DEMO_JOBS = ("demo-completed-xgboost", "demo-completed-simple", "demo-failed", "demo-live",
             "demo-tuning")

# The endpoint first: a reader of the first line (a script, a test) gets the URL from it.
_ORDER = ("METRICWIDGETS_ENDPOINT_URL", "METRICWIDGETS_REGION")


def export_lines(env: Mapping[str, str]) -> list[str]:
    """``export NAME=value`` lines for ``env``, values quoted for a POSIX shell."""
    names = [n for n in _ORDER if n in env] + sorted(n for n in env if n not in _ORDER)
    return [f"export {name}={shlex.quote(str(env[name]))}" for name in names]


def credentials_note(endpoint_url: str) -> list[str]:
    """Shell comments saying what the ``AWS_*`` values are (fake) and what they reach."""
    return [f"# A SageMaker stand-in (moto) serves {endpoint_url}; no AWS account is involved.",
            "# The AWS_* keys above are fake ('testing'): they open only this stand-in.",
            "# Paste the export lines into the shell you start Jupyter from, then: jupyter lab"]


def create_demo_jobs(aws) -> None:
    """Write the finished jobs, start the failing one and record the tuning job on ``aws``
    (a started :class:`~metricwidgets.testing.standin.StandIn`)."""
    aws.write_finished_job("demo-completed-xgboost", lines_per_host=200, kind="xgboost")
    aws.write_finished_job("demo-completed-simple", lines_per_host=150, kind="simple")
    aws.play_job("demo-failed", lines_per_host=40, interval=0.5, fail_reason="CUDA out of memory")
    aws.create_tuning_job("demo-tuning")
    best = None
    for k in range(3):
        child = f"demo-tuning-{k + 1:03d}"
        aws.write_finished_job(child, lines_per_host=60, instance_count=1, seed=k + 1)
        aws.add_tuning_child("demo-tuning", child)
        value = aws.training_job(child).final_metric_data_list[-1]["Value"]
        best = min(best or (value, child), (value, child))
    aws.finish_tuning_job("demo-tuning", best[1], best[0])


def replay_live_job(aws, stop: threading.Event) -> None:
    """Play ``demo-live``, then ``demo-live-1``, ... until ``stop`` is set, so that a demo
    always has a job running. Each is played on the stand-in's own player thread (which
    :meth:`StandIn.stop` ends) while this thread waits for it or for ``stop``."""
    round_ = 0
    while not stop.is_set():
        live = "demo-live" if round_ == 0 else f"demo-live-{round_}"
        player = aws.play_job(live, lines_per_host=600, interval=1.0, kind="xgboost",
                              phase_seconds=3.0, instance_type="ml.g5.12xlarge")
        while not player.wait(0.2):
            if stop.is_set():
                return
        round_ += 1
