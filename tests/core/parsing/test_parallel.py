"""A log parsed on several processes gives one process's points, in order, and its report."""

from __future__ import annotations

import os
import random
import subprocess
import sys

import numpy as np
import pytest

from metricwidgets.core.parsing import LogParser, MetricDefinition, ParallelParse, ParseResult
from metricwidgets.core.parsing import PARALLEL_MIN_BYTES, line_ranges

DEFINITIONS = [MetricDefinition("loss", r"loss=(\S+?);"),
               MetricDefinition("acc", r"#011acc: ([-+0-9.e]+)"),
               MetricDefinition("f1", r"f1=(.*?)$")]
STEP = MetricDefinition("step", r"^\[(\d+)\]")


def _log(path, lines: int, seed: int = 3) -> None:
    rng = random.Random(seed)
    pieces = []
    for i in range(lines):
        kind = rng.randrange(8)
        if kind == 0:
            pieces.append(f"[{i}] loss={rng.random():.5f}; lr=0.1")
        elif kind == 1:
            pieces.append(f"  epoch\tacc: {rng.random():.3f} f1=nan")
        elif kind == 2:
            pieces.append(f"f1={rng.choice(['0.5', 'cat', 'inf', '1e999', ''])}")
        elif kind == 3:
            pieces.append("é١٢ unicode loss=0.25; \x1b[31mred\x1b[0m\r")
        elif kind == 4:
            pieces.append("x" * rng.randrange(0, 3000) + " loss=1;")
        else:
            pieces.append(f"[{i}] step {i} throughput=12.5")
    text = "\n".join(pieces)  # no final newline: the last line is held and finished
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def _one_process(path, step_definition=None):
    parser = LogParser(DEFINITIONS, step_definition=step_definition)
    results = []
    with open(path, "rb") as handle:
        while data := handle.read(1 << 20):
            results.append(parser.feed(data))
    results.append(parser.finish())
    return parser, ParseResult.concat(results)


def _same(a: ParseResult, b: ParseResult) -> None:
    for name in ("metric", "line", "value", "step", "timestamp"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert repr(a.drops) == repr(b.drops)  # repr: a Drop's NaN value is not equal to itself


@pytest.mark.parametrize("step", [None, STEP])
def test_pieces_parsed_in_processes_give_one_processs_points_and_report(tmp_path, step):
    path = tmp_path / "big.log"
    _log(path, 40_000)
    single, expected = _one_process(path, step)
    parallel = ParallelParse(str(path), DEFINITIONS, step_definition=step, workers=2,
                             piece_bytes=96 << 10)
    got = ParseResult.concat(list(parallel))
    assert len(line_ranges(str(path), 96 << 10)) > 10
    _same(got, expected)
    assert parallel.lines == single.lines
    assert (parallel.cut_lines, parallel.cut_chars) == (single.cut_lines, single.cut_chars)
    assert repr(parallel.stats) == repr(single.stats)


def test_pieces_end_at_line_ends_and_cover_the_file(tmp_path):
    path = tmp_path / "log"
    path.write_bytes("é\n".encode() * 5000 + b"tail without newline")
    ranges = line_ranges(str(path), 1000)
    data = path.read_bytes()
    assert ranges[0][0] == 0 and ranges[-1][1] == len(data)
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:]))
    assert all(data[end - 1:end] == b"\n" for _, end in ranges[:-1])


def test_a_definition_disabled_in_one_piece_yields_nothing_after_it(tmp_path):
    path = tmp_path / "log"
    _log(path, 20_000)
    parallel = ParallelParse(str(path), DEFINITIONS, workers=2, piece_bytes=64 << 10)
    results = iter(parallel)
    first = next(results)
    parallel.stats[0].disabled = "loss: switched off (as the time guard would)"
    later = ParseResult.concat(list(results))
    assert (first.metric == 0).any() and not (later.metric == 0).any()
    assert (later.metric == 1).any()


def test_the_parse_cli_prints_the_same_csv_on_two_processes_as_on_one(tmp_path):
    path = tmp_path / "big.log"
    _log(path, 200_000)
    assert os.path.getsize(path) >= PARALLEL_MIN_BYTES
    outputs = []
    for workers in ("1", "2"):
        args = [sys.executable, "-m", "metricwidgets", "parse", str(path), "--workers", workers]
        for d in DEFINITIONS:
            args += ["--definition", f"{d.name}={d.regex}"]
        done = subprocess.run(args, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        outputs.append((done.stdout, done.stderr))
    assert outputs[0] == outputs[1]
    assert outputs[0][0].count("\n") > 10_000
