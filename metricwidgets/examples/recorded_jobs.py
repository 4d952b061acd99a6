"""The digits job as SageMaker would have recorded it: finished jobs on the stand-in.

The example notebooks that analyse finished jobs need jobs with real training curves, not
made-up ones. These functions run :mod:`metricwidgets.examples.train_digits` in this process
and write what it printed to a :class:`~metricwidgets.testing.standin.StandIn` the way SageMaker
records a job that has ended: the log lines in the instance's CloudWatch Logs stream (with
timestamps spread over the job's run), the values of the job's *own* metric definitions
published to CloudWatch metrics, ``FinalMetricDataList`` (the last value of each, float32)
and the status ``Completed``. Tuning jobs get one such child per hyperparameter setting and
name the best one.

They write to a stand-in only: nothing here talks to a real AWS account.
"""

from __future__ import annotations

import time

from metricwidgets.core.parsing import parse_log
from metricwidgets.examples.train_digits import format_line, train

__all__ = ["record_digits_job", "record_digits_tuning_job", "DIGITS_DEFINITIONS"]

#: The definitions of SageMaker's documentation example, which the digits job prints.
DIGITS_DEFINITIONS = [
    {"Name": "train:error", "Regex": "Train_error=(.*?);"},
    {"Name": "validation:error", "Regex": "Valid_error=(.*?);"},
]


def record_digits_job(standin, name: str, metric_definitions=DIGITS_DEFINITIONS, *,
                      epochs: int = 30, seconds: float = 600.0, learning_rate: float = 0.01,
                      seed: int = 0, host: str = "algo-1") -> dict[str, float]:
    """Train the digits model and record it on ``standin`` as a job that ended just now.

    Parameters
    ----------
    standin : metricwidgets.testing.standin.StandIn
        A started stand-in.
    name : str
        The training job's name (must be new on the stand-in).
    metric_definitions : list of dict
        What the job was launched with; only these reach CloudWatch metrics and the final
        metrics. The log keeps every line, so other metrics can be parsed from it later.
    epochs, learning_rate, seed
        Passed to :func:`~metricwidgets.examples.train_digits.train`.
    seconds : float
        How long the job ran; its epochs are spread evenly over that time, ending now.

    Returns
    -------
    dict of str to float
        The final metrics recorded (last parsed value of each defined metric, before
        SageMaker's float32 rounding).
    """
    lines = [format_line(*row) for row in train(epochs, seed, learning_rate=learning_rate)]
    end = time.time()
    start = end - seconds
    stamps = [start + seconds * (k + 1) / len(lines) for k in range(len(lines))]
    standin.create_job(name, metric_definitions, started_seconds_ago=seconds + 30,
                       hyperparameters={"epochs": epochs, "learning_rate": learning_rate,
                                        "seed": seed})
    standin.set_status(name, "InProgress", "Training")
    standin.write_logs(name, host, lines, stamps, stream_epoch=int(start))
    points = parse_log("\n".join(lines) + "\n", metric_definitions)
    published = {metric: [(stamps[line - 1], value)
                          for line, value in zip(group["line"], group["value"])]
                 for metric, group in points.groupby("metric", sort=False)}
    if published:
        standin.put_metrics(name, published)
    final = {metric: values[-1][1] for metric, values in published.items()}
    standin.finish_job(name, "Completed", final)
    return final


def record_digits_tuning_job(standin, name: str, learning_rates=(0.001, 0.003, 0.01, 0.03), *,
                             objective: str = "validation:error", epochs: int = 30,
                             seconds: float = 600.0) -> dict[str, dict[str, float]]:
    """Record a finished tuning job: one digits child per learning rate, best one named.

    Children are called ``<name>-001``, ``<name>-002``, ... in the order of
    ``learning_rates``; the best is the child whose final ``objective`` is lowest (the
    tuning job minimises it). Returns each child's final metrics.
    """
    standin.create_tuning_job(name, objective=objective, objective_type="Minimize")
    finals = {}
    for index, rate in enumerate(learning_rates, start=1):
        child = f"{name}-{index:03d}"
        finals[child] = record_digits_job(standin, child, epochs=epochs, seconds=seconds,
                                          learning_rate=rate)
        standin.add_tuning_child(name, child)
    best = min(finals, key=lambda child: finals[child][objective])
    standin.finish_tuning_job(name, best, finals[best][objective])
    return finals
