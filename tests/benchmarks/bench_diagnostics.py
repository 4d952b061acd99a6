"""How often the diagnoses are right, on the labelled runs of ``tests/data/diagnosis_runs/``.

Prints, for today's detector and for the previous one (the baseline, a copy kept below so
both run on the same set in the same run):

- overfitting recall: overfitting runs found, with the call's start within 15% of the run's
  length of the true start;
- divergence recall: divergence runs with a ``divergence`` or ``nonfinite`` finding;
- false alarms: healthy runs given an overfitting or divergence/NaN finding, both on the
  finished run and *live* (at any prefix, as a chart that redraws while the run grows shows
  it: a flag that appears and vanishes is still an alarm the user saw).

Targets: overfitting recall >= 95%, divergence recall 100%, false alarms <= 3%.
Then the stall finding on its own labelled runs (timestamps), beside a naive rule
(:mod:`tests.benchmarks.stall_scoring`): recall, false alarms, false stops live (target 0).
Run: ``python -m tests.benchmarks diagnostics``.
"""

from __future__ import annotations

import math
import time

import numpy as np

from metricwidgets.core.diagnosis import (
    SeriesData,
    detect_divergence,
    detect_nonfinite,
    diagnose_group,
    overfitting_history,
)
from metricwidgets.core.pairing import HIGHER, LOWER, group_metrics
from metricwidgets.widgets.liveplot import ema
from tests.benchmarks.diagnosis_set import load_runs

TOLERANCE = 0.15
TARGETS = {"overfitting recall": 0.95, "divergence recall": 1.0, "false alarms": 0.03}


# ---------------------------------------------------------------------- the baseline
# The detector as it was before issue 12 (core/diagnostics.py at main 0a5f326), overfitting
# and divergence only: kept here, not in the package, so its figures are measured beside ours.
def _old_finite(data):
    keep = np.isfinite(data.value) & np.isfinite(data.step)
    return data.step[keep], data.value[keep]


def _old_oriented(values, direction):
    return -values if direction == HIGHER else values


def _old_value_at(steps, values, at):
    order = np.argsort(steps, kind="stable")
    index = np.searchsorted(steps[order], at, side="right") - 1
    return values[order][np.clip(index, 0, len(values) - 1)]


def old_divergence(data, direction, min_run=2):
    if direction not in (LOWER, HIGHER):
        return None
    step, value = _old_finite(data)
    if len(value) < min_run + 2:
        return None
    o = _old_oriented(value, direction)
    best = np.minimum.accumulate(o)
    progress = o[0] - best
    scale = 0.5 * progress
    if direction == LOWER:
        scale = np.maximum(scale, np.abs(best))
    above = (o - best > scale) & (progress > 0)
    if not above[-1]:
        return None
    below = np.flatnonzero(~above)
    start = int(below[-1]) + 1 if len(below) else 0
    if len(o) - start < min_run:
        return None
    return float(step[start])


def old_overfitting(train, valid, direction, patience=3):
    if direction not in (LOWER, HIGHER):
        return None
    tstep, tvalue = _old_finite(train)
    vstep, vvalue = _old_finite(valid)
    if len(vvalue) < patience + 2 or len(tvalue) < 2:
        return None
    ov = _old_oriented(vvalue, direction)
    best = int(np.argmin(ov))
    if len(ov) - 1 - best < patience:
        return None
    span = float(np.ptp(ov)) or 1.0
    if ov[-1] - ov[best] <= 0.01 * span:
        return None
    ot = _old_oriented(tvalue, direction)
    smoothed = ema(ot, 0.6)
    train_then = float(_old_value_at(tstep, smoothed, np.array([vstep[best]]))[0])
    tspan = float(np.ptp(ot)) or 1.0
    improving = float(smoothed[-1]) < train_then - 0.01 * tspan
    gaps = ov - _old_value_at(tstep, ot, vstep)
    widening = float(gaps[-1]) > float(gaps[best]) + 0.01 * span
    if not (improving or widening):
        return None
    return float(vstep[best])


# ---------------------------------------------------------------------- scoring
def _pair(run):
    names = list(run.series)
    group = group_metrics(names)[0]
    train = group.find("train") or group.find(None)
    valid = group.find("validation") or group.find("test")
    data = {m: SeriesData(s, v) for m, (s, v) in run.series.items()}
    return group, data, train, valid


def _cut(data, step):
    return {m: SeriesData(d.step[d.step <= step], d.value[d.step <= step]) for m, d in data.items()}


def judge_ours(run):
    """(overfitting start or None, diverged, ever flagged overfitting live, ever diverged live)."""
    group, data, train, valid = _pair(run)
    found = diagnose_group(group, data)
    over = next((f.step for f in found if f.kind == "overfitting"), None)
    diverged = any(f.kind in ("divergence", "nonfinite") for f in found)
    ever = False
    if train and valid:
        ever = overfitting_history(data[train], data[valid], group.direction)[1]
    # Divergence and NaN/Inf report their first onset: a prefix cannot show one the whole
    # run does not (checked on every prefix all the same).
    ever_div = diverged or any(
        detect_divergence(m, d, group.direction) or detect_nonfinite(m, d)
        for step in _prefix_steps(data) for m, d in _cut(data, step).items())
    return over, diverged, ever or over is not None, ever_div


def judge_old(run):
    group, data, train, valid = _pair(run)

    def call(cut):
        over = None
        if train and valid and len(cut[train].value) and len(cut[valid].value):
            over = old_overfitting(cut[train], cut[valid], group.direction)
        diverged = any(old_divergence(d, group.direction) is not None
                       or not np.isfinite(d.value).all() for d in cut.values())
        return over, diverged

    over, diverged = call(data)
    live = [call(_cut(data, step)) for step in _prefix_steps(data)]
    return (over, diverged, any(o is not None for o, _ in live) or over is not None,
            any(d for _, d in live) or diverged)


def _prefix_steps(data):
    steps = np.unique(np.concatenate([d.step for d in data.values()]))
    if len(steps) > 400:  # per-batch series: every validation step is enough
        valid = [d.step for m, d in data.items() if "val" in m]
        steps = np.unique(np.concatenate(valid)) if valid else steps[::len(steps) // 400]
    return steps


def _found(start, run) -> bool:
    """An overfitting call whose start is within ``TOLERANCE`` of the run's length."""
    return start is not None and abs(start - run.label["start"]) <= TOLERANCE * run.length


def score(runs, judge):
    over_runs = [r for r in runs if r.truth == "overfitting"]
    div_runs = [r for r in runs if r.truth == "divergence"]
    healthy = [r for r in runs if r.truth == "healthy"]
    verdicts = {r.id: judge(r) for r in runs}
    found = sum(1 for r in over_runs if _found(verdicts[r.id][0], r))
    diverged = sum(1 for r in div_runs if verdicts[r.id][1])
    false_final = [r.id for r in healthy if verdicts[r.id][0] is not None or verdicts[r.id][1]]
    false_live = [r.id for r in healthy if verdicts[r.id][2] or verdicts[r.id][3]]
    missed = [r.id for r in over_runs if not _found(verdicts[r.id][0], r)]
    return {
        "overfitting recall": (found, len(over_runs)),
        "divergence recall": (diverged, len(div_runs)),
        "false alarms": (len(false_final), len(healthy)),
        "false alarms live": (len(false_live), len(healthy)),
        "missed": missed, "false": false_live,
    }


def _ratio(pair):
    n, d = pair
    return n / d if d else math.nan


def main() -> None:
    runs = load_runs()
    counts = {t: sum(r.truth == t for r in runs) for t in ("overfitting", "divergence", "healthy")}
    real = sum(r.label["source"] != "generated" for r in runs)
    print(f"labelled runs: {len(runs)} ({counts['overfitting']} overfitting, "
          f"{counts['divergence']} divergence, {counts['healthy']} healthy; {real} real)")
    results = {}
    for name, judge in (("ours", judge_ours), ("baseline", judge_old)):
        start = time.perf_counter()
        results[name] = score(runs, judge)
        results[name]["seconds"] = time.perf_counter() - start
    for figure in ("overfitting recall", "divergence recall", "false alarms",
                   "false alarms live"):
        ours, base = results["ours"][figure], results["baseline"][figure]
        target = TARGETS.get(figure.replace(" live", ""))
        sign = "<=" if "false" in figure else ">="
        met = (_ratio(ours) <= target) if "false" in figure else (_ratio(ours) >= target)
        print(f"  {figure:20s} ours {ours[0]:3d}/{ours[1]:<3d} = {_ratio(ours):6.1%}   "
              f"baseline {base[0]:3d}/{base[1]:<3d} = {_ratio(base):6.1%}   "
              f"target {sign} {target:.0%}: {'met' if met else 'NOT met'}")
    ours_false, base_false = (results[n]["false alarms live"][0] for n in ("ours", "baseline"))
    print(f"  healthy runs alarmed live: baseline {base_false}, ours {ours_false} "
          f"(ratio {base_false / max(ours_false, 1):.0f}x, ours counted as at least 1)")
    for name in ("ours", "baseline"):
        r = results[name]
        print(f"  {name}: {r['seconds']:.1f} s; missed overfitting: {', '.join(r['missed']) or '-'}")
        print(f"  {name}: healthy runs alarmed live: {len(r['false'])} "
              f"({', '.join(r['false'][:8])}{' ...' if len(r['false']) > 8 else ''})")


    from tests.benchmarks import stall_scoring

    stall_scoring.main()


if __name__ == "__main__":
    main()
