"""``metricwidgets parse`` output: what csv and json readers give back is what was parsed."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

# Names SageMaker allows (1-255 characters of any kind) that hand quoting gets wrong.
NAMES = ['loss, "smoothed"', "val\nloss", "plain"]


def _parse(tmp_path, fmt: str) -> str:
    log = tmp_path / "train.log"
    log.write_text("loss=0.5\nloss=0.25\n")
    defs = tmp_path / "defs.json"
    defs.write_text(json.dumps([{"Name": n, "Regex": r"loss=([0-9.]+)"} for n in NAMES]))
    done = subprocess.run([sys.executable, "-m", "metricwidgets", "parse", str(log),
                           "--definitions", str(defs), "--format", fmt],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _expected():
    return [(line, name, value) for line, value in ((1, 0.5), (2, 0.25)) for name in NAMES]


def test_csv_quotes_commas_quotes_and_newlines_in_metric_names(tmp_path):
    rows = list(csv.DictReader(io.StringIO(_parse(tmp_path, "csv"), newline="")))
    assert [(int(r["line"]), r["metric"], float(r["value"])) for r in rows] == _expected()


def test_json_is_one_array_with_the_same_points(tmp_path):
    rows = json.loads(_parse(tmp_path, "json"))
    assert [(r["line"], r["metric"], r["value"]) for r in rows] == _expected()


def test_json_of_a_log_without_points_is_an_empty_array(tmp_path):
    log = tmp_path / "empty.log"
    log.write_text("nothing here\n")
    done = subprocess.run([sys.executable, "-m", "metricwidgets", "parse", str(log),
                           "--definition", "loss=loss=([0-9.]+)", "--format", "json"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


@pytest.fixture(scope="module")
def large_tricky_log(tmp_path_factory):
    from metricwidgets.core.parsing import PARALLEL_MIN_BYTES
    from tests.tricky_log import tricky_log

    path = tmp_path_factory.mktemp("parse") / "large.log"
    sample = len(tricky_log(seed=17, lines=4000))  # about 2.5 MB
    path.write_bytes(tricky_log(seed=17, lines=int(4000 * 1.2 * PARALLEL_MIN_BYTES / sample)))
    assert path.stat().st_size >= PARALLEL_MIN_BYTES  # what the CLI cuts into pieces
    return path


def test_a_large_log_prints_the_same_points_and_report_on_two_processes_as_on_one(
        large_tricky_log):
    from tests.tricky_log import DEFINITIONS

    outputs = []
    for workers in ("1", "2"):
        args = [sys.executable, "-m", "metricwidgets", "parse", str(large_tricky_log),
                "--workers", workers]
        for d in DEFINITIONS:
            args += ["--definition", f"{d.name}={d.regex}"]
        done = subprocess.run(args, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        outputs.append((done.stdout, done.stderr))
    assert outputs[0] == outputs[1]
    assert outputs[0][0].count("\n") > 10_000
    assert "longer than 262144 characters were cut" in outputs[0][1]
    assert "f1: " in outputs[0][1] and "dropped" in outputs[0][1]


def test_the_parse_commands_reading_goes_to_worker_processes_for_a_large_file(
        large_tricky_log, caplog):
    from metricwidgets.cli.parse import LogStream
    from metricwidgets.core.parsing import LogParser, ParseResult
    from tests.tricky_log import DEFINITIONS

    caplog.set_level("DEBUG", logger="metricwidgets.core.parsing._parallel")
    parsers = [LogParser(DEFINITIONS), LogParser(DEFINITIONS)]
    one = ParseResult.concat(list(LogStream(str(large_tricky_log)).results(parsers[0])))
    two = ParseResult.concat(list(LogStream(str(large_tricky_log)).results(parsers[1],
                                                                           workers=2)))
    said = [r.getMessage() for r in caplog.records if "process(es)" in r.getMessage()]
    assert len(said) == 1 and said[0].endswith("on 2 process(es)")
    assert one.line.tolist() == two.line.tolist() and one.value.tolist() == two.value.tolist()
    assert repr(parsers[0].stats) == repr(parsers[1].stats)
