"""Benchmark: ``metricwidgets parse`` on 1 GiB, on every core against one process (issue 24).

A 1 GiB log is generated in /tmp (the realistic mix of ``bench_parser``: 5 % metric lines,
XGBoost ``#011`` lines among them, 10 SageMaker-style definitions) and parsed by the command
line, whole process timed from outside, output written to a file:

(a) ``--workers 1``: one process, the baseline;
(b) ``--workers N`` (every CPU this process may use): the log cut at line ends, parsed by
    worker processes.

They run in turn, a b a b ..., and each pair gives a ratio; the medians are printed with
MiB/s. The outputs of (a) and (b) must be byte for byte the same. Memory: the resident set
of every process of the run (the command, its fork server, the workers) is summed every
20 ms and the largest sum printed, with the sum of each process's own peak (``VmHWM``, read
by the same sampling: an upper bound of the simultaneous total).

Then the threshold: a text of 1 to 32 MB through ``parse_log`` in a fresh interpreter (the
fork server not yet started, the first call a user makes), one process against two, to show
where starting the workers starts to pay (``PARALLEL_MIN_BYTES``).

The machine's load (``/proc/loadavg``) is printed before and after: other work on the same
cores slows (b) more than (a). Target: (b) >= 100 MiB/s on a 2-core machine.

Run with ``python -m tests.benchmarks parse_throughput`` (``MW_BENCH_ROUNDS=N``: pairs, 3 by
default; ``MW_BENCH_GIB``: the log's size, 1 by default).
"""

from __future__ import annotations

import filecmp
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from metricwidgets.core.parsing import PARALLEL_MIN_BYTES, cpus
from tests.benchmarks.bench_parser import DEFINITIONS, make_log_block

TARGET_MIB_S = 100.0
SMALL_SIZES_MB = (1, 2, 4, 8, 16, 32)


def _load() -> str:
    with open("/proc/loadavg") as handle:
        return " ".join(handle.read().split()[:3])


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            tree.setdefault(ppid, []).append(int(entry))
    return tree


def _memory(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) in kB; zeros for a process gone."""
    rss = hwm = 0
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
    except OSError:
        pass
    return rss, hwm


class TreeMemory:
    """Samples the resident memory of a process and all its descendants."""

    def __init__(self, pid: int, interval: float = 0.02):
        self.pid, self.interval = pid, interval
        self.peak_sum = 0
        self.hwm: dict[int, int] = {}
        self.processes: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            tree, todo, total = _children(), [self.pid], 0
            while todo:
                pid = todo.pop()
                rss, hwm = _memory(pid)
                total += rss
                self.hwm[pid] = max(self.hwm.get(pid, 0), hwm)
                self.processes.add(pid)
                todo += tree.get(pid, [])
            self.peak_sum = max(self.peak_sum, total)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def _write_log(path: str, size: int) -> int:
    block = make_log_block()
    written = 0
    with open(path, "w") as handle:
        while written < size:
            handle.write(block)
            written += len(block)
    return os.path.getsize(path)


def _run(log: str, defs: str, workers: int, out: str) -> dict:
    command = [sys.executable, "-m", "metricwidgets", "parse", log, "--definitions", defs,
               "--workers", str(workers)]
    with open(out, "wb") as sink:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=sink, stderr=subprocess.DEVNULL)
        memory = TreeMemory(child.pid)
        code = child.wait()
        elapsed = time.perf_counter() - start
    memory.stop()
    if code != 0:
        raise SystemExit(f"metricwidgets parse --workers {workers} exited {code}")
    return {"seconds": elapsed, "peak_sum_mb": memory.peak_sum / 1024,
            "hwm_sum_mb": sum(memory.hwm.values()) / 1024,
            "processes": len(memory.processes)}


def bench_gib(rounds: int, gib: float) -> list[str]:
    verdicts = []
    workers = cpus()
    with tempfile.TemporaryDirectory(dir="/tmp", prefix="mw-throughput-") as tmp:
        log, defs = os.path.join(tmp, "big.log"), os.path.join(tmp, "defs.json")
        size = _write_log(log, int(gib * (1 << 30)))
        with open(defs, "w") as handle:
            json.dump([d.to_sagemaker() for d in DEFINITIONS], handle)
        mib = size / (1 << 20)
        print(f"log: {mib:,.0f} MiB in {tmp}; {workers} CPUs; load before {_load()}",
              flush=True)
        runs: dict[int, list[dict]] = {1: [], workers: []}
        for k in range(rounds):
            for w in (1, workers):
                run = _run(log, defs, w, os.path.join(tmp, f"out{w}.csv"))
                runs[w].append(run)
                print(f"  round {k + 1} --workers {w}: {run['seconds']:.2f} s "
                      f"({mib / run['seconds']:.0f} MiB/s), peak RSS of all "
                      f"{run['processes']} processes {run['peak_sum_mb']:.0f} MB "
                      f"(sum of each one's peak {run['hwm_sum_mb']:.0f} MB), load {_load()}",
                      flush=True)
            if not filecmp.cmp(os.path.join(tmp, "out1.csv"),
                               os.path.join(tmp, f"out{workers}.csv"), shallow=False):
                verdicts.append("the outputs of one and several processes differ")
        one = statistics.median(r["seconds"] for r in runs[1])
        many = statistics.median(r["seconds"] for r in runs[workers])
        ratios = [a["seconds"] / b["seconds"] for a, b in zip(runs[1], runs[workers])]
        print(f"median: --workers 1 {mib / one:.0f} MiB/s, --workers {workers} "
              f"{mib / many:.0f} MiB/s, ratio {statistics.median(ratios):.2f}x "
              f"(pairs: {', '.join(f'{r:.2f}' for r in ratios)}); peak RSS, all processes: "
              f"{max(r['peak_sum_mb'] for r in runs[workers]):.0f} MB with {workers}, "
              f"{max(r['peak_sum_mb'] for r in runs[1]):.0f} MB with 1; load after {_load()}",
              flush=True)
        if mib / many < TARGET_MIB_S:
            verdicts.append(f"{mib / many:.0f} MiB/s on {workers} processes "
                            f"(target >= {TARGET_MIB_S:.0f})")
    return verdicts


_SMALL = """
import sys, time
from metricwidgets.core.parsing import LogParser, ParallelParse, text_pieces
from tests.benchmarks.bench_parser import DEFINITIONS, make_log_block
block = make_log_block()
text = (block * (int(sys.argv[1]) // len(block) + 1))[:int(sys.argv[1])]
times = []
for workers in (1, 2):
    start = time.perf_counter()
    ParallelParse(LogParser(DEFINITIONS), workers, min_bytes=0).parse(text_pieces(text))
    times.append(time.perf_counter() - start)
print(*times)
"""


def bench_small() -> None:
    print(f"small logs, the first parse of a fresh interpreter (fork server cold), 1 vs 2 "
          f"processes; PARALLEL_MIN_BYTES = {PARALLEL_MIN_BYTES >> 20} MiB:", flush=True)
    for mb in SMALL_SIZES_MB:
        done = subprocess.run([sys.executable, "-c", _SMALL, str(mb << 20)],
                              capture_output=True, text=True, check=True)
        one, two = map(float, done.stdout.split())
        print(f"  {mb:>3} MiB: 1 process {one:.3f} s, 2 processes {two:.3f} s, "
              f"ratio {one / two:.2f}x", flush=True)


def main() -> None:
    rounds = int(os.environ.get("MW_BENCH_ROUNDS", "3"))
    gib = float(os.environ.get("MW_BENCH_GIB", "1"))
    verdicts = bench_gib(rounds, gib)
    bench_small()
    print("target met" if not verdicts else "target missed:\n  " + "\n  ".join(verdicts))
