"""What a stand-in training job prints, and the metric definitions SageMaker gives it.

Plain data and a generator (no moto, no boto3): the stand-in writes these lines to CloudWatch
Logs, the tests and the demo compare what was parsed with the values yielded beside them.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator

__all__ = [
    "ACCOUNT",
    "LOG_GROUP",
    "NAMESPACE",
    "SIMPLE_DEFINITIONS",
    "XGBOOST_DEFINITIONS",
    "training_lines",
]

#: Training jobs' log group (docs/sagemaker.md, "Where the metrics and logs are").
LOG_GROUP = "/aws/sagemaker/TrainingJobs"
NAMESPACE = "/aws/sagemaker/TrainingJobs"
ACCOUNT = "123456789012"
_NUMBER = r"([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)"

#: SageMaker's built-in XGBoost definitions (written against ``#011``-escaped text).
XGBOOST_DEFINITIONS = [
    {"Name": "train:rmse", "Regex": r".*\[[0-9]+\].*#011train-rmse:" + _NUMBER + ".*"},
    {"Name": "validation:rmse", "Regex": r".*\[[0-9]+\].*#011validation-rmse:" + _NUMBER + ".*"},
]
#: The definitions of the SageMaker docs' example (``Train_error=...;``).
SIMPLE_DEFINITIONS = [
    {"Name": "train:error", "Regex": "Train_error=(.*?);"},
    {"Name": "validation:error", "Regex": "Valid_error=(.*?);"},
]


def training_lines(kind: str = "simple", count: int = 100, seed: int = 0,
                   host_index: int = 0) -> Iterator[tuple[str, dict[str, float]]]:
    """Yield ``(raw line, {metric name: value})`` a training script would print.

    ``kind``: ``simple`` (``Train_error=0.31;  Valid_error=0.35;``), ``xgboost``
    (``[3]<TAB>train-rmse:...<TAB>validation-rmse:...``), ``chatty`` (simple lines mixed
    with lines that carry no metric) or ``diverging`` (simple lines whose errors grow
    threefold a line from the second half on: a divergence). The raw line is unescaped (it has real tabs);
    values are what SageMaker's definitions (above) capture from it.
    """
    rng = random.Random(seed * 1000 + host_index)
    for i in range(count):
        train = 0.9 * math.exp(-i / max(count / 4, 1)) + 0.05 + rng.uniform(0, 0.02)
        valid = train + 0.03 + rng.uniform(0, 0.02)
        if kind == "diverging" and i >= count // 2:
            growth = 3.0 ** (i - count // 2 + 1)
            train, valid = train * growth, valid * growth
        if kind == "xgboost":
            line = f"[{i}]\ttrain-rmse:{train:.5f}\tvalidation-rmse:{valid:.5f}"
            yield line, {"train:rmse": float(f"{train:.5f}"),
                         "validation:rmse": float(f"{valid:.5f}")}
        else:
            if kind == "chatty" and i % 3 == 2:
                yield f"INFO step {i}: saving checkpoint", {}
                continue
            line = f"#quality_metric: epoch={i} Train_error={train:.4f};  Valid_error={valid:.4f};"
            yield line, {"train:error": float(f"{train:.4f}"),
                         "validation:error": float(f"{valid:.4f}")}

