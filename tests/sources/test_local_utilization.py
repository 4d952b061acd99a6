"""The local run's utilization, sampled from a real subprocess that burns CPU and memory."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

import psutil

from metricwidgets.sources.local_utilization import GpuReader, LocalUtilizationSource
from tests.waiting import poll_until, wait_until

BURNER = textwrap.dedent("""
    import os, sys, time
    stop, go, blocks = sys.argv[1], sys.argv[2], []
    while not os.path.exists(go):  # idle first: the baseline
        time.sleep(0.01)
    while not os.path.exists(stop):
        if len(blocks) < 40:
            blocks.append(bytearray(os.urandom(1)) * (5 * 2 ** 20))  # 5 MB, touched
        deadline = time.perf_counter() + 0.05
        while time.perf_counter() < deadline:  # busy: one core's worth
            pass
""")


def _latest(source, metric):
    update = source.poll()
    values = {b.metric: b.values[-1] for b in update.points}
    return values.get(metric)


def test_values_rise_while_the_process_works_then_sampling_stops(tmp_path):
    threads = threading.active_count()
    stop, go = tmp_path / "stop", tmp_path / "go"
    child = subprocess.Popen([sys.executable, "-c", BURNER, str(stop), str(go)])
    # Half-second samples: CPU time is counted in ticks, a shorter window is mostly noise.
    source = LocalUtilizationSource(child.pid, "burner", cwd=tmp_path, interval=0.5)
    try:
        first = source.sample()
        assert set(first) >= {"CPUUtilization", "MemoryUtilization", "DiskUtilization"}
        assert first["DiskUtilization"] == psutil.disk_usage(str(tmp_path)).percent
        # The first figure of a process is 0 by construction (no earlier CPU time to
        # compare with): the second one is the idle child's.
        idle_samples = []
        wait_until(lambda: idle_samples.append(_latest(source, "CPUUtilization")) or
                   len([v for v in idle_samples if v is not None]) >= 2, timeout=10,
                   what="two samples of the idle child")
        idle = [v for v in idle_samples if v is not None][-1]
        go.touch()
        total = psutil.virtual_memory().total
        grown = first["MemoryUtilization"] + 100.0 * 150 * 2 ** 20 / total
        wait_until(lambda: (_latest(source, "MemoryUtilization") or 0) > grown, timeout=60,
                   what="MemoryUtilization to show the child's 200 MB")
        # Well above the idle figure, though a machine shared by many gives a busy loop
        # only a share of a core.
        wait_until(lambda: (_latest(source, "CPUUtilization") or 0) > max(10.0, 3 * idle),
                   timeout=60, what="CPUUtilization to show the busy loop")
        assert threading.active_count() == threads  # sampling runs on the poller's thread
        stop.touch()
        child.wait(timeout=30)
        assert poll_until(lambda: source.poll() is not None and source.finished, timeout=10)
        assert source.poll().points == []
        assert threading.active_count() == threads
    finally:
        child.kill()
        child.wait()
        source.close()


def test_the_children_of_the_process_count_too(tmp_path):
    stop, go = tmp_path / "stop", tmp_path / "go"
    go.touch()
    script = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {BURNER!r}, " \
             f"{str(stop)!r}, {str(go)!r}])"
    parent = subprocess.Popen([sys.executable, "-c", script])
    source = LocalUtilizationSource(parent.pid, "parent", interval=0.5)
    try:
        wait_until(lambda: (_latest(source, "CPUUtilization") or 0) > 10, timeout=60,
                   what="the grandchild's busy loop to count for its parent")
    finally:
        stop.touch()
        parent.wait(timeout=30)
        source.close()


def test_without_gpu_or_driver_the_source_says_no_gpu():
    reader = GpuReader()
    if reader.count:  # a machine with an NVIDIA GPU and driver reads real figures
        assert set(reader.sample()) == {"GPUUtilization", "GPUMemoryUtilization"}
        return
    assert reader.note.startswith("no GPU (")
    assert reader.sample() == {}
    reader.close()


def test_a_process_already_gone_is_finished_at_once():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    source = LocalUtilizationSource(child.pid, "gone", interval=0.0)
    assert source.poll().points == []
    assert source.finished
