"""The stall finding: a sustained slowdown or a silence, read from the points' timestamps."""

from __future__ import annotations

import numpy as np

from metricwidgets.core.diagnosis import (
    SeriesData,
    detect_silence,
    detect_slowdown,
    diagnose_frame,
    stall_findings,
)

T0 = 1_767_000_000.0


def _run(paces):
    time = T0 + np.concatenate([[0.0], np.cumsum(paces)])
    return np.arange(len(time), dtype=float), time


def test_a_pace_that_doubles_to_the_end_is_a_stall_from_where_it_began():
    step, time = _run(np.r_[np.full(40, 1.0), np.full(30, 2.5)])
    found = detect_slowdown("loss", step, time, np.ones(len(step)))
    assert found is not None and found.kind == "stall" and found.severity == "warning"
    assert found.step == 40.0
    assert "2.5 s" in found.text and "2.5 times its usual 1 s" in found.text


def test_evaluation_pauses_and_a_slow_warm_up_are_no_stall():
    paces = np.full(200, 1.0)
    paces[:10] = 10.0          # warm-up
    paces[49::50] = 25.0       # an evaluation every 50 steps
    paces[-1] = 40.0           # a checkpoint just before the last point
    step, time = _run(paces)
    assert detect_slowdown("loss", step, time) is None


def test_a_short_slow_stretch_is_not_yet_a_stall():
    step, time = _run(np.r_[np.full(40, 1.0), np.full(6, 5.0)])
    assert detect_slowdown("loss", step, time) is None


def test_timestamps_read_in_chunks_call_nothing():
    chunked = np.repeat(T0 + np.arange(20.0) * 30, 8)  # 8 lines at once, every 30 s
    assert detect_slowdown("loss", np.arange(len(chunked), dtype=float), chunked) is None


def test_silence_is_called_only_after_long_enough_without_a_point():
    step, time = _run(np.full(50, 2.0))
    assert detect_silence("loss", step, time, now=time[-1] + 30) is None
    found = detect_silence("loss", step, time, now=time[-1] + 600)
    assert found is not None and found.kind == "stall" and found.step == 50.0
    assert "no new loss point for 600 s" in found.text


def test_silence_waits_twice_the_longest_gap_the_run_has_shown():
    paces = np.full(60, 2.0)
    paces[19::20] = 400.0  # evaluations of almost 7 minutes
    step, time = _run(paces)
    assert detect_silence("loss", step, time, now=time[-1] + 500) is None
    assert detect_silence("loss", step, time, now=time[-1] + 801) is not None


def test_one_stall_per_job_and_host_read_on_its_densest_series_silence_only_when_running():
    step, time = _run(np.full(40, 1.0))
    dense = SeriesData(step, np.ones(len(step)), (), time)
    sparse = SeriesData(step[::10], np.ones(5), (), time[::10])
    owners = {("job-a", "algo-1"): {"train:loss": dense, "validation:loss": sparse},
              ("job-b", "algo-1"): {"train:loss": dense}}
    later = time[-1] + 1000
    found = stall_findings(owners, now=later, running={"job-a"})
    assert [(f.job, f.metric) for f in found] == [("job-a", "train:loss")]
    assert stall_findings(owners, now=None, running={"job-a"}) == []


def test_a_dataframe_with_timestamps_is_diagnosed_for_stalls():
    import pandas as pd

    step, time = _run(np.r_[np.full(40, 1.0), np.full(30, 3.0)])
    frame = pd.DataFrame({"timestamp": pd.to_datetime(time, unit="s", utc=True),
                          "metric": "train:loss", "value": np.linspace(1, 0.5, len(step)),
                          "step": step})
    kinds = [f.kind for f in diagnose_frame(frame)]
    assert "stall" in kinds


def test_stall_texts_write_large_steps_in_full():
    step, time = _run(np.r_[np.full(40, 1.0), np.full(30, 2.5)])
    found = detect_slowdown("loss", step * 500.0, time, np.ones(len(step)))
    assert found is not None and "since step 20,000," in found.text, found.text


def test_points_that_arrived_all_at_once_are_never_a_silence():
    step = np.arange(50, dtype=float)
    assert detect_silence("loss", step, np.full(50, T0), now=T0 + 10_000) is None
