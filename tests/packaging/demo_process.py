"""Run ``metricwidgets demo --no-browser`` as a user would, and stop it again.

Shared by the packaging test (what the demo serves) and the browser test (what a user sees
in it). The demo becomes ``jupyter lab`` (same PID); it runs in its own process group so that
stopping it also stops the kernels it started, and nothing else.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.browser.lab import free_port, wait_until

REPO = Path(__file__).resolve().parents[2]
#: The line the demo prints: the quick-start's URL with the login token.
URL_LINE = re.compile(r"(http://127\.0\.0\.1:(\d+)/lab/tree/01-quickstart\.ipynb\?token=(\w+))")


@contextlib.contextmanager
def running_demo(workdir: Path, log: Path):
    """Start the demo serving ``workdir``; yield ``(url, port, token)`` once Lab answers."""
    port = free_port()
    # This checkout's code (and notebooks), even if another copy is installed; the kernels
    # the demo's Lab starts inherit it.
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "metricwidgets", "demo", "--no-browser", f"--port={port}",
             f"--dir={workdir}"],
            stdout=out, stderr=subprocess.STDOUT, cwd=workdir.parent, start_new_session=True,
            env={**os.environ, "PYTHONPATH": path})
    try:
        match = wait_until(lambda: URL_LINE.search(log.read_text()) or proc.poll() is not None,
                           30, what="the demo to print its URL")
        if match is True:
            raise RuntimeError(f"the demo exited: {log.read_text()}")
        url, printed_port, token = match.groups()
        assert int(printed_port) == port, log.read_text()

        def answers():
            if proc.poll() is not None:
                raise RuntimeError(f"the demo exited: {log.read_text()}")
            try:
                with urllib.request.urlopen(
                        f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2) as reply:
                    return reply.status == 200
            except OSError:
                return False

        wait_until(answers, 90, what="JupyterLab to answer")
        yield url, port, token
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
