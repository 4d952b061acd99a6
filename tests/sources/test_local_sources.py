"""The local sources: a command run as a subprocess, and a followed log file."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from metricwidgets.errors import InputError
from metricwidgets.sources.local_file import LocalFileSource
from metricwidgets.sources.local_process import LocalProcessSource
from tests.waiting import poll_until, wait_until


def _drain(source, timeout=20.0):
    """Poll until the source finished; return (text, last status)."""
    text, statuses = [], [None]

    def finished():
        update = source.poll()
        statuses.append(update.status or statuses[-1])
        text.extend(b.text for b in update.logs)
        return source.finished

    wait_until(finished, timeout, interval=0.02, what="the source to finish")
    return "".join(text), statuses[-1]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purposes (it only waits for its parent to reap it).
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _python(code: str) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(code)]


def test_megabytes_on_both_pipes_arrive_whole_without_deadlock():
    source = LocalProcessSource(_python("""
        import sys
        for i in range(20000):
            print(f"out {i} " + "x" * 60)
            print(f"err {i} " + "y" * 60, file=sys.stderr)
    """))
    try:
        text, status = _drain(source)
    finally:
        source.close()
    lines = text.splitlines()
    assert status.status == "Completed" and status.exit_code == 0
    assert sum(line.startswith("out ") for line in lines) == 20000
    assert sum(line.startswith("err ") for line in lines) == 20000
    # Lines of the two pipes interleave whole, never mid-line.
    assert all(line.endswith("x" * 60) or line.endswith("y" * 60) for line in lines)


def test_failed_command_reports_exit_code_and_last_lines():
    source = LocalProcessSource(_python("""
        import sys
        for i in range(30):
            print(f"line {i}")
        print("Traceback: boom", file=sys.stderr)
        sys.exit(3)
    """))
    try:
        _, status = _drain(source)
    finally:
        source.close()
    assert status.status == "Failed"
    assert status.exit_code == 3
    assert status.failure_reason == "exited with code 3"
    # The last lines of each pipe: stdout's chatter cannot push stderr's traceback out.
    assert "Traceback: boom" in status.last_lines
    assert [line for line in status.last_lines if line.startswith("line ")] == [
        f"line {i}" for i in range(10, 30)]


def test_running_command_is_in_progress_and_chunks_are_raw_text():
    source = LocalProcessSource(_python("""
        import time
        print("a\\tb=1")
        time.sleep(30)
    """))
    try:
        updates = []
        assert poll_until(lambda: updates.append(source.poll()) or updates[-1].logs, 10,
                          interval=0.02)
        update = updates[-1]
        texts = [b.text for b in update.logs]
        assert update.status.status == "InProgress"
        # Escaping is the parser's job: the source hands out the tab as it was printed.
        assert texts == ["a\tb=1\n"]
    finally:
        source.close()


def test_close_kills_the_whole_process_group():
    source = LocalProcessSource(_python("""
        import subprocess, sys, time
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        print(child.pid, flush=True)
        time.sleep(60)
    """))
    try:
        chunks = []
        assert poll_until(lambda: chunks.extend(b.text for b in source.poll().logs) or
                          "".join(chunks).strip(), 10, interval=0.02)
        text = "".join(chunks)
        grandchild = int(text.split()[0])
        assert _alive(grandchild)
    finally:
        source.close()
    assert poll_until(lambda: not _alive(source.process.pid), 10)
    assert poll_until(lambda: not _alive(grandchild), 10)
    assert source.status().status == "Stopped"


def test_commands_still_running_are_killed_when_the_interpreter_exits():
    # A kernel that exits runs atexit: the command it started must not outlive it.
    driver = _python("""
        import sys
        from metricwidgets.sources.local_process import LocalProcessSource
        source = LocalProcessSource([sys.executable, "-c", "import time; time.sleep(60)"])
        print(source.process.pid, flush=True)
    """)
    result = subprocess.run(driver, capture_output=True, text=True, timeout=60)
    pid = int(result.stdout.split()[0])
    assert poll_until(lambda: not _alive(pid), 10)


def test_a_command_that_does_not_exist_is_a_clear_input_error():
    with pytest.raises(InputError, match="cannot run"):
        LocalProcessSource(["/nonexistent/train.sh"])


def test_a_partial_last_line_is_delivered_at_exit():
    source = LocalProcessSource(_python("""
        import sys
        sys.stdout.write("loss=0.5")
    """))
    try:
        text, _ = _drain(source)
    finally:
        source.close()
    assert text == "loss=0.5\n"


# ----------------------------------------------------------------------------- files


def _read(source) -> bytes:
    return b"".join(b.text for b in source.poll().logs)


def test_missing_file_is_waiting_not_an_error(tmp_path):
    source = LocalFileSource(tmp_path / "train.log")
    update = source.poll()
    assert update.logs == []
    assert update.status.secondary_status == "Waiting"
    (tmp_path / "train.log").write_text("loss=1\n")
    assert _read(source) == b"loss=1\n"


def test_appended_bytes_are_read_once(tmp_path):
    path = tmp_path / "train.log"
    path.write_bytes(b"a=1\n")
    source = LocalFileSource(path)
    assert _read(source) == b"a=1\n"
    assert _read(source) == b""
    with open(path, "ab") as handle:
        handle.write(b"a=2\na=")
    assert _read(source) == b"a=2\na="
    with open(path, "ab") as handle:
        handle.write(b"3\n")
    assert _read(source) == b"3\n"


def test_truncated_file_is_read_again_from_its_start(tmp_path):
    path = tmp_path / "train.log"
    path.write_bytes(b"a=1\na=2\na=3\n")
    source = LocalFileSource(path)
    _read(source)
    with open(path, "wb") as handle:  # truncate in place (same inode), as `> train.log` does
        handle.write(b"b=1\n")
    assert _read(source) == b"b=1\n"
    assert source.truncations == 1


def test_rotated_file_gives_the_rest_of_the_old_then_the_new(tmp_path):
    path = tmp_path / "train.log"
    path.write_bytes(b"a=1\n")
    source = LocalFileSource(path)
    assert _read(source) == b"a=1\n"
    with open(path, "ab") as handle:
        handle.write(b"a=2\n")
    os.rename(path, tmp_path / "train.log.1")
    path.write_bytes(b"b=1\n")
    assert _read(source) == b"a=2\nb=1\n"
    assert source.rotations == 1
    with open(path, "ab") as handle:
        handle.write(b"b=2\n")
    assert _read(source) == b"b=2\n"


def test_stop_all_kills_every_running_command():
    from metricwidgets.sources.local_process import stop_all

    sources = [LocalProcessSource(_python("import time; time.sleep(60)")) for _ in range(2)]
    try:
        assert stop_all() >= 2
        assert all(poll_until(lambda pid=s.process.pid: not _alive(pid), 10) for s in sources)
        assert all(s.status().status == "Stopped" for s in sources)
    finally:
        for source in sources:
            source.close()


def test_a_command_with_an_unbalanced_quote_is_one_clear_input_error():
    from metricwidgets.errors import InputError
    from metricwidgets.sources.local_process import LocalProcessSource

    with pytest.raises(InputError) as caught:
        LocalProcessSource("echo 'unbalanced")
    assert str(caught.value) == "cannot split the command \"echo 'unbalanced\": no closing quotation"
