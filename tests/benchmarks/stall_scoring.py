"""The stall part of ``python -m tests.benchmarks diagnostics``: recall and false alarms of the
stall finding on the labelled runs of :mod:`tests.benchmarks.stall_set`, beside a naive rule
(the baseline, in the same run).

- recall: stall runs given a ``stall`` finding; for a slowdown, with its onset within 15% of
  the run's length of the true one;
- false alarms: healthy runs given a stall finding on the finished run, and *live*: judged
  after every point, as a watch polling the running job would (each moment just before the
  next point arrives, so a silence is looked for too). A live alarm on a healthy run is a
  false stop for ``metricwidgets watch --stop-on stall``: the target is 0.

The baseline is the rule as the issue first puts it, read naively: the mean of the last 5
paces above twice the run's median pace, or no point for 10 usual intervals.
"""

from __future__ import annotations

import math
import time

import numpy as np

from metricwidgets.core.diagnosis import detect_silence, detect_slowdown, paces
from tests.benchmarks.stall_set import load_stall_runs

TOLERANCE = 0.15
#: Prefixes judged live per run at most (longer runs: an even grid, plus the end).
LIVE_PREFIXES = 300


def judge_ours(step, t, value, now):
    found = detect_slowdown("loss", step, t, value)
    if found is None:
        found = detect_silence("loss", step, t, now, value)
    return found


class _Naive:
    def __init__(self, step):
        self.step = step


def judge_naive(step, t, value, now):
    pace, ends, _ = paces(step, t)
    if len(pace) >= 10 and np.mean(pace[-5:]) > 2 * np.median(pace) > 0:
        return _Naive(float(step[int(ends[-5]) - 1]))
    gaps = np.diff(t)
    if len(gaps) >= 10 and now - t[-1] > 10 * np.median(gaps) > 0:
        return _Naive(math.nan)
    return None


def _hit(run, found) -> bool:
    if found is None:
        return False
    start = run.label["start"]
    if start is None:
        return True
    span = float(run.step[-1] - run.step[0]) or 1.0
    return math.isfinite(found.step) and abs(found.step - start) <= TOLERANCE * span


def _alarmed_live(run, judge) -> bool:
    n = len(run.time)
    cuts = range(2, n + 1) if n <= LIVE_PREFIXES else \
        sorted(set(np.linspace(2, n, LIVE_PREFIXES).astype(int).tolist()))
    for k in cuts:
        # Just before the next point arrives (or the run's own "now" after its last point).
        now = run.time[k] - 1e-3 if k < n else run.label["now"]
        if judge(run.step[:k], run.time[:k], run.value[:k], now) is not None:
            return True
    return False


def score(runs, judge) -> dict:
    stalls = [r for r in runs if r.truth == "stall"]
    healthy = [r for r in runs if r.truth == "healthy"]
    hits = [r for r in stalls
            if _hit(r, judge(r.step, r.time, r.value, r.label["now"]))]
    final = [r.id for r in healthy if judge(r.step, r.time, r.value, r.label["now"])]
    live = [r.id for r in healthy if _alarmed_live(r, judge)]
    missed = sorted({r.id for r in stalls} - {r.id for r in hits})
    return {"stall recall": (len(hits), len(stalls)), "false alarms": (len(final), len(healthy)),
            "false stops live": (len(live), len(healthy)), "missed": missed, "false": live}


def main() -> None:
    runs = load_stall_runs()
    counts = {t: sum(r.truth == t for r in runs) for t in ("stall", "healthy")}
    print(f"stall runs: {len(runs)} ({counts['stall']} stall, {counts['healthy']} healthy)")
    results = {}
    for name, judge in (("ours", judge_ours), ("baseline", judge_naive)):
        began = time.perf_counter()
        results[name] = score(runs, judge)
        results[name]["seconds"] = time.perf_counter() - began
    for figure in ("stall recall", "false alarms", "false stops live"):
        ours, base = results["ours"][figure], results["baseline"][figure]
        print(f"  {figure:20s} ours {ours[0]:3d}/{ours[1]:<3d} = {ours[0] / ours[1]:6.1%}   "
              f"baseline {base[0]:3d}/{base[1]:<3d} = {base[0] / base[1]:6.1%}")
    for name in ("ours", "baseline"):
        r = results[name]
        print(f"  {name}: {r['seconds']:.1f} s; missed stalls: {', '.join(r['missed'][:8]) or '-'}"
              f"{' ...' if len(r['missed']) > 8 else ''}; healthy runs alarmed live: "
              f"{', '.join(r['false'][:8]) or '-'}{' ...' if len(r['false']) > 8 else ''}")
    print(f"  false stops on healthy runs (target 0): ours {results['ours']['false stops live'][0]}, "
          f"baseline {results['baseline']['false stops live'][0]}")
