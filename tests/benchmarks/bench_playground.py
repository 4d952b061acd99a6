"""The regex playground on a 10 MB sample: one refresh, against what a user would write.

Baseline (a): the naive loop a regex tester would run: every line, every definition,
``re.search``, convert, and keep every row. (b): :func:`build_report` (the fast parser counts
every line; details only for the first few hundred rows; lint against the sample).
(c): a catastrophic regex added to (b): how long until it is reported disabled.
Printed: seconds and the ratio (a)/(b), measured in the same run.
"""

from __future__ import annotations

import random
import time

from metricwidgets.core.parsing import MetricDefinition
from metricwidgets.core.parsing import escape_line
from metricwidgets.core.authoring import build_report
from metricwidgets.core.parsing import convert

DEFINITIONS = [
    MetricDefinition("train:error", r"Train_error=(.*?);"),
    MetricDefinition("validation:error", r"Valid_error\s*=\s*(.*?);"),
    MetricDefinition("loss", r"(?<![\w-])loss: ([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)"),
    MetricDefinition("val_loss", r"val_loss: ([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)"),
    MetricDefinition("train:rmse",
                     r".*\[[0-9]+\].*#011train-rmse:([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?).*"),
    MetricDefinition("lr", r"'learning_rate': ([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)"),
]


def sample(target_bytes: int = 10_000_000) -> str:
    rng = random.Random(5)
    kinds = [
        lambda k: f"Train_error={rng.random():.6f};  Valid_error = {rng.random():.6f};",
        lambda k: f"{k}/{k} - 3s - loss: {rng.random():.4f} - val_loss: {rng.random():.4f}",
        lambda k: f"[{k}]\ttrain-rmse:{rng.random():.5f}\tvalidation-rmse:{rng.random():.5f}",
        lambda k: f"{{'loss': {rng.random():.4f}, 'learning_rate': {rng.random() / 1e4:.3e}}}",
    ]
    lines, size, k = [], 0, 0
    while size < target_bytes:
        k += 1
        if rng.random() < 0.1:
            line = rng.choice(kinds)(k)
        else:
            line = f"[2026-11-26 14:00:{k % 60:02d}] INFO worker {k % 8}: step done in {k % 97} ms"
        lines.append(line)
        size += len(line) + 1
    return "\n".join(lines)


def naive(text: str, definitions) -> list:
    patterns = [d.compile() for d in definitions]
    rows = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = escape_line(raw)
        for index, pattern in enumerate(patterns):
            found = pattern.search(line)
            if found:
                rows.append((index, number, found.span(), found.span(1), convert(found.group(1))))
    return rows


def timed(function, *args, repeat: int = 3):
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function(*args)
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> None:
    text = sample()
    print(f"sample: {len(text) / 1e6:.1f} MB, {text.count(chr(10)) + 1:,} lines, "
          f"{len(DEFINITIONS)} definitions")
    t_naive, rows = timed(naive, text, DEFINITIONS, repeat=1)
    t_report, report = timed(build_report, text, DEFINITIONS)
    counted = [d.matches for d in report.definitions]
    expected = [sum(1 for r in rows if r[0] == k) for k in range(len(DEFINITIONS))]
    assert counted == expected, (counted, expected)
    print(f"(a) naive loop, every row:          {t_naive:7.2f} s")
    print(f"(b) build_report (count all, detail {len(report.definitions[0].rows)}): "
          f"{t_report:7.2f} s   (a)/(b) = {t_naive / t_report:.1f}x")
    evil = DEFINITIONS + [MetricDefinition("evil", r"(\w+\s?)+$")]
    t_evil, report = timed(build_report, text, evil, repeat=1)
    print(f"(c) with a catastrophic regex:      {t_evil:7.2f} s   "
          f"(disabled: {bool(report.definitions[-1].disabled)})")


if __name__ == "__main__":
    main()
