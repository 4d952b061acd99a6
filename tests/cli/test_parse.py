"""``metricwidgets parse`` output: what csv and json readers give back is what was parsed."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

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
