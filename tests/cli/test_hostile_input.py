"""Hostile but fair input to ``parse``, ``check`` and ``diagnose``: one line, never a
traceback, never a hang; one rule for definitions SageMaker would refuse.

Every command runs as a user runs it (a subprocess, with a timeout that fails the test
instead of hanging it).
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import pytest

from metricwidgets.core.parsing import MAX_LINE
from tests.cli.hostile import one_line_error

DATA = pathlib.Path(__file__).parent.parent / "data"
DIGITS = DATA / "train_digits.log"
GOOD = ["--definition", "train:error=Train_error=(.*?);"]


def cli(*args, stdin=None, timeout=60):
    return subprocess.run([sys.executable, "-m", "metricwidgets", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, stdin=stdin)


# ------------------------------------------------------------ one rule for definitions

BROKEN = {
    "does not compile": [{"Name": "train:error", "Regex": "Train_error=(.*?;"}],
    "no capture group is fine, a duplicate name is not": [
        {"Name": "a", "Regex": "Train_error=(.*?);"}, {"Name": "a", "Regex": "Valid"}],
    "41 definitions": [{"Name": f"m{i}", "Regex": "Train_error=(.*?);"} for i in range(41)],
    "an empty name": [{"Name": "", "Regex": "Train_error=(.*?);"}],
    "a regex of 501 characters": [{"Name": "long", "Regex": "(x)" + "y" * 498}],
    "groups nested deeper than Python's stack": [{"Name": "deep", "Regex": "(" * 499}],
}


@pytest.mark.parametrize("case", BROKEN)
@pytest.mark.parametrize("command", ["parse", "diagnose"])
def test_parse_and_diagnose_refuse_what_sagemaker_refuses_with_one_error(tmp_path, command,
                                                                          case):
    defs = tmp_path / "defs.json"
    defs.write_text(json.dumps(BROKEN[case]))
    done = cli(command, DIGITS, "--definitions", defs)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "metric definition" in one_line_error(done, command) or "definitions" in done.stderr
    assert "no findings" not in done.stdout


@pytest.mark.parametrize("case", BROKEN)
def test_check_reports_the_same_definitions_as_errors_and_exits_1(tmp_path, case):
    defs = tmp_path / "defs.json"
    defs.write_text(json.dumps(BROKEN[case]))
    done = cli("check", DIGITS, "--definitions", defs)
    assert done.returncode == 1, done.stdout
    assert "error: " in done.stdout and "Traceback" not in done.stderr


def test_diagnose_names_the_broken_regex():
    done = cli("diagnose", DIGITS, "--definition", "train:error=Train_error=(.*?;")
    assert done.returncode == 2
    assert "'train:error'" in done.stderr and "does not compile" in done.stderr


def test_check_exits_1_when_reading_stopped_at_max_bytes():
    done = cli("check", DIGITS, *GOOD, "--max-bytes", "1KB")
    assert done.returncode == 1
    assert "error: " in done.stdout and "--max-bytes" in done.stdout


# ------------------------------------------------------------ endless input is bounded


@pytest.mark.parametrize("command", ["parse", "check", "diagnose"])
def test_a_device_given_as_the_log_is_refused_in_one_line(command):
    done = cli(command, "/dev/zero", *GOOD, timeout=30)
    assert done.returncode == 2
    assert "/dev/zero: a device" in one_line_error(done, command)


@pytest.mark.parametrize("command", ["parse", "check", "diagnose"])
def test_an_endless_pipe_stops_at_max_bytes_and_says_so(command):
    # `yes` never ends: without the bound every command ran until killed.
    endless = subprocess.Popen(["yes", "Train_error=0.5;"], stdout=subprocess.PIPE)
    try:
        done = cli(command, "/dev/stdin", *GOOD, "--max-bytes", "2MB", stdin=endless.stdout,
                   timeout=60)
    finally:
        endless.kill()
        endless.wait()
    assert done.returncode == 1, done.stderr
    said = (done.stdout + done.stderr).count("stopped after 2,097,152 bytes (--max-bytes)")
    assert said == 1, (done.stdout[-500:], done.stderr)
    assert "Traceback" not in done.stderr


def test_the_max_bytes_bound_is_exact_for_a_file_that_ends_there(tmp_path):
    log = tmp_path / "train.log"
    log.write_bytes(b"Train_error=0.5;\n" * 64)
    done = cli("parse", log, *GOOD, "--max-bytes", str(17 * 64))
    assert done.returncode == 0 and done.stderr == ""
    assert len(done.stdout.splitlines()) == 65


def test_diagnose_reports_a_line_cut_at_256_kb_as_parse_does(tmp_path):
    log = tmp_path / "train.log"
    log.write_text("x" * (MAX_LINE + 10) + "\n" + "Train_error=0.5;\n" * 3)
    said = {}
    for command in ("parse", "diagnose"):
        done = cli(command, log, *GOOD)
        assert done.returncode == 0, done.stderr
        said[command] = [line.split(": ", 1)[1] for line in done.stderr.splitlines()]
    assert said["parse"] == said["diagnose"]
    assert any("longer than" in line and "were cut" in line for line in said["parse"])


# ------------------------------------------------------------ every option, hostile values

HOSTILE = [
    ("parse", ["--format", "xml"]),
    ("parse", ["--max-bytes", "-5"]),
    ("parse", ["--max-bytes", "lots"]),
    ("parse", ["--max-bytes", "9" * 40]),
    ("parse", ["--definitions", "/dev/zero"]),
    ("parse", ["--definitions", "/"]),
    ("parse", ["--definitions", "[{]"]),
    ("parse", ["--definitions", '{"Name": 5}']),
    ("parse", ["--definition", "=("]),
    ("parse", ["--definition", "no-equals-sign"]),
    ("parse", ["--definition", "a=" + "(" * 5000]),
    ("check", ["--definitions", "/nonexistent.json"]),
    ("diagnose", ["--definition", "a=(?P<x"]),
    ("diagnose", ["--step", "(("]),
    ("diagnose", ["--format", "yaml"]),
    ("diagnose", ["--source", "nowhere"]),
    ("diagnose", ["--definition", "a=(a+)+$", "--step", "x" * 100_000]),
    ("parse", ["--no-escape=yes"]),
    ("check", ["--max-bytes", "0"]),
]


@pytest.mark.parametrize("command, extra", HOSTILE, ids=[
    f"{c} {' '.join(a)[:40]}" for c, a in HOSTILE])
def test_a_hostile_option_value_gives_one_line_and_no_traceback(command, extra):
    args = [command, DIGITS] + (extra if "--definition" in " ".join(extra) else extra + GOOD)
    done = cli(*args, timeout=60)
    assert done.returncode == 2, (done.stdout[-300:], done.stderr)
    one_line_error(done, command)


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# The commands that take no LOG: watch (its JOB, --command or --file) and demo.
HOSTILE_WHOLE = [
    ("watch", ["--interval", "-1", "--file", str(DIGITS)]),
    ("watch", ["--interval", "nan", "--file", str(DIGITS)]),
    ("watch", ["--interval", "1e400", "--file", str(DIGITS)]),
    ("watch", ["--interval", "soon", "--file", str(DIGITS)]),
    ("watch", ["--stop-on", "everything", "--file", str(DIGITS)]),
    ("watch", ["--until", "forever", "--file", str(DIGITS)]),
    ("watch", ["--format", "xml", "--file", str(DIGITS)]),
    ("watch", ["--file", "/dev/zero"]),
    ("watch", ["--file", "/"]),
    ("watch", ["--file", str(DIGITS), "--definition", "a=(("]),
    ("watch", ["--file", str(DIGITS), "--step", "(("]),
    ("watch", ["--file", str(DIGITS), "--command", "true"]),
    ("watch", ["--dry-run", "--file", str(DIGITS)]),
    ("watch", ["--command", ""]),
    ("watch", ["../../etc/passwd"]),
    ("watch", ["x" * 10_000]),
    ("watch", ["some-job", "--region", "us-east-1", "--source", "everywhere"]),
    # Nothing listens there: one line at once, not retries with nothing said.
    ("watch", ["some-job", "--region", "us-east-1", "--endpoint-url",
               f"http://127.0.0.1:{_closed_port()}"]),
    ("demo", ["--port", "-1", "--no-browser"]),
    ("demo", ["--port", "99999999", "--no-browser"]),
    ("demo", ["--port", "abc", "--no-browser"]),
    ("demo", ["--dir", "/dev/null", "--no-browser"]),
]


@pytest.mark.parametrize("command, extra", HOSTILE_WHOLE, ids=[
    f"{c} {' '.join(a)[:40]}" for c, a in HOSTILE_WHOLE])
def test_watch_and_demo_give_one_line_for_a_hostile_value(command, extra):
    done = cli(command, *extra, stdin=subprocess.DEVNULL, timeout=60)
    assert done.returncode == 2, (done.stdout[-300:], done.stderr)
    one_line_error(done, command)


@pytest.mark.parametrize("log", ["/", "/nonexistent.log", "", "-"])
@pytest.mark.parametrize("command", ["parse", "check", "diagnose"])
def test_a_log_that_is_no_file_gives_one_line(command, log):
    done = cli(command, log, *GOOD, stdin=subprocess.DEVNULL)
    assert done.returncode == 2, (done.stdout[-300:], done.stderr)
    one_line_error(done, command)


def test_an_unknown_format_is_one_usage_line_not_four():
    done = cli("parse", DIGITS, *GOOD, "--format", "xml")
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("metricwidgets parse: error: argument --format: invalid "
                                  "choice: 'xml'")
