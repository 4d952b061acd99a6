"""``metricwidgets parse`` and ``metricwidgets check``, run as a user runs them (subprocess)."""

from __future__ import annotations

import csv
import io
import json
import pathlib
import subprocess
import sys

DATA = pathlib.Path(__file__).parent.parent / "data"


def cli(*args, timeout=60):
    return subprocess.run([sys.executable, "-m", "metricwidgets", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout)


def test_parse_prints_line_metric_value_csv_for_xgboost_builtin_definitions():
    out = cli("parse", DATA / "xgboost_local.log", "--definitions", DATA / "xgboost_definitions.json")
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert list(rows[0]) == ["line", "metric", "value"]
    assert rows[0] == {"line": "9", "metric": "train:rmse", "value": "7.83512"}
    assert rows[1] == {"line": "9", "metric": "validation:rmse", "value": "7.92437"}
    assert len(rows) == 26
    assert out.stderr == ""


def test_parse_values_keep_full_float_precision():
    out = cli("parse", DATA / "linear_learner.log", "--definition",
              r"loss=#quality_metric: host=\S+, epoch=\S+, train \S+ <loss>=(\S+)")
    values = [r["value"] for r in csv.DictReader(io.StringIO(out.stdout))]
    assert values == ["0.1290519938468933", "0.0631230224609375", "0.05218231201171875"]


def test_parse_json_format_gives_the_same_points():
    args = ["parse", DATA / "keras.log", "--definition", r"val_loss=val_loss: ([0-9.]+)"]
    rows = json.loads(cli(*args, "--format", "json").stdout)
    assert rows == [{"line": 3, "metric": "val_loss", "value": 0.1302},
                    {"line": 5, "metric": "val_loss", "value": 0.0964},
                    {"line": 7, "metric": "val_loss", "value": 0.0815}]


def test_parse_reports_dropped_captures_on_stderr(tmp_path):
    log = tmp_path / "run.log"
    log.write_text("acc=0.9,\nacc=0.8\nacc=nan\n")
    out = cli("parse", log, "--definition", r"acc=acc=(\S+)")
    assert out.returncode == 0
    assert out.stdout.splitlines()[1:] == ["2,acc,0.8"]
    assert "acc: 1 capture(s) dropped, the capture is not a number (e.g. line 1: '0.9,')" in out.stderr
    assert "the value is NaN" in out.stderr


def test_parse_reports_a_disabled_catastrophic_definition_on_stderr(tmp_path):
    log = tmp_path / "run.log"
    log.write_text("loss=1\n" + "a" * 5000 + "!\nloss=2\n")
    out = cli("parse", log, "--definition", r"bad=(a|aa)+$", "--definition", r"loss=loss=(\d+)")
    assert out.returncode == 0
    assert out.stdout.splitlines()[1:] == ["1,loss,1.0", "3,loss,2.0"]
    assert "'bad' was disabled" in out.stderr


def test_parse_rejects_a_bad_regex_with_one_clear_error_and_no_traceback(tmp_path):
    out = cli("parse", DATA / "keras.log", "--definition", "loss=loss: ([0-9.]+")
    assert out.returncode == 2
    assert "metric definition 'loss'" in out.stderr and "does not compile" in out.stderr
    assert "Traceback" not in out.stderr


def test_parse_of_a_missing_file_is_one_clear_error():
    out = cli("parse", "/nonexistent/run.log", "--definition", "loss=loss=(\\S+)")
    assert out.returncode == 2
    assert "/nonexistent/run.log" in out.stderr and "Traceback" not in out.stderr


def test_check_of_the_documentation_example_suggests_the_spaces_fix():
    out = cli("check", DATA / "sagemaker_doc.log", "--definitions",
              DATA / "sagemaker_doc_definitions.json")
    assert out.returncode == 1
    lines = out.stdout.splitlines()
    train = next(line for line in lines if line.startswith("train:error"))
    valid = next(line for line in lines if line.startswith("validation:error"))
    assert "2 matching lines" in train and "MATCHES NOTHING" not in train
    assert "0 matching lines" in valid and "MATCHES NOTHING" in valid
    assert "suggested regex: Valid_error\\s*=\\s*(.*?);" in out.stdout


def test_check_passes_when_every_definition_matches(tmp_path):
    defs = tmp_path / "defs.json"
    defs.write_text(json.dumps([{"Name": "train:error", "Regex": r"Train_error=(.*?);"},
                                {"Name": "validation:error",
                                 "Regex": r"Valid_error\s*=\s*(.*?);"}]))
    out = cli("check", DATA / "sagemaker_doc.log", "--definitions", defs)
    assert out.returncode == 0, out.stdout
    assert "validation:error  2 matching lines, 2 points" in out.stdout


def test_check_shows_dropped_captures_with_an_example_and_fails_on_a_regex_error(tmp_path):
    defs = tmp_path / "defs.json"
    defs.write_text(json.dumps([{"Name": "lr", "Regex": r"'learning_rate': (\S+)"},
                                {"Name": "broken", "Regex": r"loss': ([0-9.]+"}]))
    out = cli("check", DATA / "huggingface.log", "--definitions", defs)
    assert out.returncode == 1
    assert "dropped 3: the capture is not a number (e.g. line 6: '4.360613810741688e-05,')" \
        in out.stdout
    assert "broken" in out.stdout and "ERROR" in out.stdout and "does not compile" in out.stdout


def test_parse_streams_a_log_larger_than_one_chunk(tmp_path):
    # 6 MB: more than the CLI's 4 MiB chunk, with a line straddling the chunk boundary.
    log = tmp_path / "big.log"
    line = "step {k} loss={k}.5 " + "x" * 90 + "\n"
    log.write_text("".join(line.format(k=k) for k in range(60_000)))
    out = cli("parse", log, "--definition", r"loss=loss=([0-9.]+)", timeout=120)
    rows = out.stdout.splitlines()[1:]
    assert len(rows) == 60_000
    assert rows[-1] == "60000,loss,59999.5"
    assert [r.split(",")[0] for r in rows] == [str(k + 1) for k in range(60_000)]


def test_check_fails_a_definition_whose_every_capture_is_dropped():
    out = cli("check", DATA / "huggingface.log", "--definition", r"loss=loss': (\S+)")
    assert out.returncode == 1
    assert "5 matching lines, 0 points  NO POINTS (every capture dropped)" in out.stdout
    assert "dropped 5: the capture is not a number (e.g. line 6: '0.4373,')" in out.stdout


# -- what SageMaker accepts, parse accepts; bad input is one line (issue 14, items 6, 7) --

def test_parse_warns_about_a_placeholder_regex_and_parses_the_other_definitions(tmp_path):
    log = tmp_path / "train.log"
    log.write_text("step 1 loss=0.5\nstep 2 loss=0.25\n")
    out = cli("parse", log, "--definition", "gpt2:placeholder=<><><><><><>",
              "--definition", r"loss=loss=(\S+)")
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert [(r["line"], r["metric"], r["value"]) for r in rows] == [("1", "loss", "0.5"),
                                                                  ("2", "loss", "0.25")]
    assert out.stderr.splitlines() == [
        ("metricwidgets parse: warning: metric definition 'gpt2:placeholder': the regex has no "
         "capture group; SageMaker takes the value from group 1, so it would never yield a point")]
    checked = cli("check", log, "--definition", "gpt2:placeholder=<><><><><><>",
                  "--definition", r"loss=loss=(\S+)")
    assert checked.returncode == 1
    assert "no capture group" in checked.stdout


def test_a_missing_definitions_file_is_worded_the_same_by_parse_check_and_fetch(tmp_path):
    log = tmp_path / "train.log"
    log.write_text("loss=1\n")
    said = set()
    for args in (["parse", log], ["check", log], ["fetch", "some-job"]):
        out = cli(*args, "--definitions", "missing.json")
        assert out.returncode == 2
        lines = out.stderr.splitlines()
        assert len(lines) == 1, out.stderr
        said.add(lines[0].split(": ", 1)[1])
    assert said == {"error: missing.json: no such definitions file"}


def test_a_definitions_file_that_is_not_utf8_is_one_line_not_a_traceback(tmp_path):
    log, defs = tmp_path / "train.log", tmp_path / "defs.json"
    log.write_text("loss=1\n")
    data = b'[{"Name": "loss", "Regex": "loss=(\\\\S+)"}]\xff'
    defs.write_bytes(data)
    out = cli("parse", log, "--definitions", defs)
    assert out.returncode == 2
    assert out.stderr.splitlines() == [
        (f"metricwidgets parse: error: {defs}: not UTF-8 text (byte {len(data) - 1}); save the "
         f"definitions as UTF-8 JSON")]


def test_parse_reports_lines_cut_at_the_cloudwatch_event_limit(tmp_path):
    log = tmp_path / "train.log"
    with open(log, "w") as handle:
        handle.write("loss=0.5 " + "x" * (1 << 20) + "\nloss=0.25\n")
    out = cli("parse", log, "--definition", r"loss=loss=(\S+)")
    assert out.returncode == 0, out.stderr
    assert len(list(csv.DictReader(io.StringIO(out.stdout)))) == 2
    assert "1 line(s) longer than 262144 characters were cut there" in out.stderr
