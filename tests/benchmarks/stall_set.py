"""The labelled runs the stall finding is measured on (``tests/data/diagnosis_runs/stall*``).

Each run is one series of points with the log's timestamps (``stall.csv``: ``run, step,
time, value``) and a label in ``stall_labels.json``: ``truth`` ``stall`` or ``healthy``, the
stall's true onset ``start`` step (None for a hang, which has no onset on the curve), the
``family``, ``now`` (the moment it is judged, epoch seconds: later than the last point for a
job still running), and the ``reason``.

Families, each over lengths and jitters (seconds per step drawn around 0.5-2 s):

- stall: the pace doubles, triples or worse from a step on (per step, or per evaluation
  points whose steps do not grow), a gradual climb to 4x, and a hang (no point for a long
  time while the job runs).
- healthy: steady with small or heavy (log-normal) jitter, an evaluation pause every 50
  steps, a checkpoint pause just before the end, a slow warm-up, a slow drift (+40%),
  timestamps read in 1-second chunks, waiting a normal while for the next point, and an
  evaluation at the end as long as the earlier ones.

``python -m tests.benchmarks.stall_set`` rewrites the files (same seed, same files).
"""

from __future__ import annotations

import csv
import json

import numpy as np

from tests.benchmarks.diagnosis_set import DATA

__all__ = ["StallRun", "generate", "load_stall_runs"]

START = 1_767_000_000.0  # an epoch second; the times only matter relative to it


class StallRun:
    def __init__(self, label: dict, step, time, value):
        self.label = label
        self.step, self.time, self.value = step, time, value

    id = property(lambda self: self.label["run"])
    truth = property(lambda self: self.label["truth"])


def _walk(pace):
    return START + np.concatenate([[0.0], np.cumsum(pace)])


def generate(seed: int = 25) -> list[StallRun]:
    rng = np.random.default_rng(seed)
    runs: list[StallRun] = []

    def add(family, truth, pace, start=None, now_extra=0.0, per_point=False, quantum=0.0,
            reason="", **params):
        time = _walk(pace)
        if quantum:
            time = np.floor(time / quantum) * quantum
        n = len(time)
        step = np.zeros(n) if per_point else np.arange(n, dtype=float)
        if per_point:  # evaluations logged with an epoch that does not grow every point
            step = np.floor(np.arange(n) / 3.0)
        value = 2.0 * np.exp(-np.arange(n) / max(n / 3, 1)) + 0.1
        if start is not None:  # given as the point where the slow pace begins
            start = float(step[int(start)])
        label = {"run": f"stall-{len(runs):03d}-{family}", "family": family, "truth": truth,
                 "start": start, "now": float(time[-1] + now_extra), "reason": reason,
                 "params": params}
        runs.append(StallRun(label, step, time, value))

    def jittered(n, base, jitter):
        return base * np.exp(rng.normal(0, jitter, n))

    for length in (40, 120, 400, 1500):
        for jitter in (0.05, 0.25):
            base = float(rng.uniform(0.5, 2.0))
            for factor in (2.2, 3.0, 6.0):
                for frac in (0.3, 0.6, 0.8):
                    pace = jittered(length, base, jitter)
                    onset = int(frac * length)
                    pace[onset:] *= factor
                    per_point = bool(rng.integers(4) == 0)
                    add("slowdown", "stall", pace, float(onset), per_point=per_point,
                        reason=f"pace x{factor} from point {onset} to the end",
                        length=length, jitter=jitter, factor=factor)
            pace = jittered(length, base, jitter)
            onset = int(0.6 * length)
            pace[onset:] *= np.linspace(1.0, 4.0, length - onset)
            crossing = onset + int(np.argmax(np.linspace(1.0, 4.0, length - onset) >= 2.0))
            add("climb", "stall", pace, float(crossing),
                reason=f"pace climbs from x1 at {onset} to x4 at the end (x2 at {crossing})",
                length=length, jitter=jitter)
            pace = jittered(length, base, jitter)
            add("hang", "stall", pace, None, now_extra=max(30 * base, 600.0),
                reason="no point for 30 intervals (and 10 minutes) while the job runs",
                length=length, jitter=jitter)
    for length in (20, 60, 200, 800):
        for jitter in (0.05, 0.3, 0.6):
            base = float(rng.uniform(0.5, 2.0))
            add("steady", "healthy", jittered(length, base, jitter),
                reason="the same pace throughout", length=length, jitter=jitter)
            pace = jittered(length, base, jitter)
            pace[49::50] += 20 * base
            add("eval-pauses", "healthy", pace, now_extra=15 * base,
                reason="an evaluation of 20 steps' time every 50 steps", length=length,
                jitter=jitter)
            pace = jittered(length, base, jitter)
            pace[-1] += 30 * base
            add("checkpoint-at-end", "healthy", pace,
                reason="one checkpoint pause just before the last point", length=length,
                jitter=jitter)
            pace = jittered(length, base, jitter)
            pace[:10] *= 10
            add("warm-up", "healthy", pace, reason="the first 10 steps 10x slower",
                length=length, jitter=jitter)
            pace = jittered(length, base, jitter) * np.linspace(1.0, 1.4, length)
            add("drift", "healthy", pace, reason="pace 40% slower at the end, gradually",
                length=length, jitter=jitter)
            add("chunked", "healthy", jittered(length, 0.2, jitter), quantum=1.0,
                reason="points 0.2 s apart stamped in 1-second chunks", length=length,
                jitter=jitter)
            add("waiting", "healthy", jittered(length, base, jitter), now_extra=3 * base,
                reason="judged 3 intervals after the last point, the job running",
                length=length, jitter=jitter)
            pace = jittered(length, base, jitter)
            pace[19::20] += 40 * base
            add("long-eval-at-end", "healthy", pace, now_extra=35 * base,
                reason="an evaluation of 40 steps' time every 20 steps, one running now",
                length=length, jitter=jitter)
    return runs


def write(runs) -> None:
    DATA.mkdir(parents=True, exist_ok=True)
    with open(DATA / "stall.csv", "w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["run", "step", "time", "value"])
        for run in runs:
            for s, t, v in zip(run.step.tolist(), run.time.tolist(), run.value.tolist()):
                out.writerow([run.id, f"{s:g}", f"{t:.3f}", f"{v:.5g}"])
    (DATA / "stall_labels.json").write_text(json.dumps([r.label for r in runs], indent=1) + "\n")


def load_stall_runs() -> list[StallRun]:
    labels = json.loads((DATA / "stall_labels.json").read_text())
    points: dict = {}
    with open(DATA / "stall.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            points.setdefault(row["run"], []).append(
                (float(row["step"]), float(row["time"]), float(row["value"])))
    runs = []
    for label in labels:
        rows = np.array(points[label["run"]])
        runs.append(StallRun(label, rows[:, 0], rows[:, 1], rows[:, 2]))
    return runs


if __name__ == "__main__":
    write(generate())
    print(f"{len(load_stall_runs())} runs written to {DATA}")
