"""``metricwidgets diagnose LOGFILE``: findings as text or JSON, exit 1 on an error finding."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

DATA = pathlib.Path(__file__).resolve().parents[1] / "data"
DIGITS = DATA / "train_digits.log"  # the quick-start's real output, 30 epochs
DEFS = DATA / "sagemaker_doc_definitions.json"


def cli(*args):
    return subprocess.run([sys.executable, "-m", "metricwidgets", "diagnose", *map(str, args)],
                          check=False, capture_output=True, text=True, timeout=120)


def test_the_quickstart_log_reads_overfitting_since_epoch_3_and_exits_0():
    result = cli(DIGITS, "--definitions", DEFS)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("warning: overfitting: validation:error rose from its best "
                                    "0.1196 (step 3) to ")
    assert "while train:error kept falling (0.24 → 0.0167)" in result.stdout


def test_json_lists_the_findings_with_their_keys():
    result = cli(DIGITS, "--definition", "train:error=Train_error=(.*?);",
                 "--definition", "validation:error=Valid_error=(.*?);", "--format", "json")
    assert result.returncode == 0, result.stderr
    findings = json.loads(result.stdout)
    assert [f["kind"] for f in findings] == ["overfitting"]
    assert list(findings[0]) == ["kind", "metric", "host", "step", "value", "text", "severity"]
    assert findings[0]["step"] == 3.0 and findings[0]["value"] == 0.1196
    assert findings[0]["severity"] == "warning" and findings[0]["host"] == ""


def test_a_nan_loss_is_an_error_and_exits_1_at_its_step(tmp_path):
    log = tmp_path / "train.log"
    log.write_text("".join(f"epoch={e} loss={v}\n" for e, v in
                           enumerate(["2.3", "1.1", "0.7", "nan", "nan"])))
    result = cli(log, "--definition", "train:loss=loss=(\\S+)", "--step", "epoch=(\\d+)",
                 "--format", "json")
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)
    assert findings[0]["kind"] == "nonfinite" and findings[0]["step"] == 3.0
    assert findings[0]["value"] is None and findings[0]["severity"] == "error"


def test_an_exploding_loss_is_an_error_in_text_too(tmp_path):
    values = [2.3, 1.2, 0.8, 0.6, 0.5, 0.45, 0.4, 8.0, 90.0, 900.0]
    log = tmp_path / "train.log"
    log.write_text("".join(f"loss: {v}\n" for v in values))
    result = cli(log, "--definition", "loss=loss: (\\S+)")
    assert result.returncode == 1
    assert result.stdout.startswith("error: loss exploded from its running level")


def test_a_healthy_real_log_has_no_findings():
    result = cli(DATA / "keras.log", "--definition", "loss= - loss: ([0-9.]+)",
                 "--definition", "val_loss=val_loss: ([0-9.]+)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("no findings")


def test_bad_input_is_one_line_and_exit_2(tmp_path):
    result = cli(DIGITS)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        ("metricwidgets diagnose: error: a LOGFILE needs --definitions DEFS.json or "
         "--definition NAME=REGEX")]
    missing = cli(tmp_path / "nope.log", "--definitions", DEFS)
    assert missing.returncode == 2 and len(missing.stderr.strip().splitlines()) == 1
