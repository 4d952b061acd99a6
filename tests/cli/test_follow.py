"""``metricwidgets watch`` on local runs (no AWS): a command's findings as they appear, the
process ended on ``--stop-on``, a log file followed until the first finding."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import sys, time
    for i in range(120):
        loss = 1.0 / (1 + i) + 0.05 if i < 15 else 0.1 * 3 ** (i - 14)
        print(f"step={i} loss={loss:.5g}", flush=True)
        time.sleep(0.05)
    open(sys.argv[1], "w").write("ran to the end")
""")


def _watch(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "metricwidgets", "watch", *args,
                           "--definition", r"loss=loss=(\S+)", "--step", r"step=(\d+)"],
                          capture_output=True, text=True, timeout=timeout, check=False)


def test_a_diverging_command_is_ended_on_stop_on_and_the_exit_status_is_1(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    marker = tmp_path / "done"
    result = _watch("--command", f"{sys.executable} {script} {marker}", "--stop-on",
                    "divergence", "--format", "json", "--interval", "0.2")
    assert result.returncode == 1, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert [e["event"] for e in events] == ["finding", "stop", "end"]
    assert events[0]["kind"] == "divergence" and events[0]["severity"] == "error"
    assert events[1]["reason"] == events[0]["text"] and events[2]["status"] == "Stopped"
    assert not marker.exists()  # the process did not run to its end


def test_without_stop_on_a_command_runs_to_its_end(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(SCRIPT.replace("range(120)", "range(25)"))
    marker = tmp_path / "done"
    result = _watch("--command", f"{sys.executable} {script} {marker}", "--interval", "0.2")
    assert result.returncode == 1, result.stderr
    assert marker.exists()
    lines = result.stdout.splitlines()
    assert sum("exploded" in line for line in lines) == 1 and "stopping" not in result.stdout
    assert lines[-1].endswith("1 finding(s), 1 error(s)")


def test_a_log_file_is_followed_until_the_first_finding(tmp_path):
    log = tmp_path / "train.log"
    log.write_text("".join(f"step={i} loss={1.0 / (i + 1):.4f}\n" for i in range(14))
                   + "step=14 loss=40\nstep=15 loss=900\n")
    result = _watch("--file", str(log), "--until", "finding", "--interval", "0.2")
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines()[0].startswith("error [") and "exploded" in result.stdout


def test_dry_run_without_stop_on_is_one_error_line():
    result = _watch("some-job", "--dry-run")
    assert result.returncode == 2
    assert result.stderr.strip() == "metricwidgets watch: error: --dry-run goes with --stop-on KINDS"
