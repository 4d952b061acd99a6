"""``metricwidgets demo --no-browser`` serves the quick-start notebook, headless, installing nothing."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser.lab import free_port, wait_until

REPO = Path(__file__).resolve().parents[2]
URL_LINE = re.compile(r"(http://127\.0\.0\.1:(\d+)/lab/tree/01-quickstart\.ipynb\?token=(\w+))")


def _start_demo(workdir: Path, port: int, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "metricwidgets", "demo", "--no-browser", f"--port={port}",
         f"--dir={workdir}"],
        stdout=open(log, "w"), stderr=subprocess.STDOUT, cwd=workdir.parent,
        start_new_session=True)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return json.load(response)
    except OSError:
        return None


@pytest.mark.timeout(180)
def test_demo_serves_the_quickstart_notebook_headless_and_keeps_user_edits(tmp_path):
    workdir = tmp_path / "demo"
    workdir.mkdir()
    edited = workdir / "02-regex-playground.ipynb"
    edited.write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    port = free_port()
    log = tmp_path / "demo.log"
    proc = _start_demo(workdir, port, log)
    try:
        match = wait_until(lambda: URL_LINE.search(log.read_text()) or proc.poll() is not None,
                           30, what="the demo to print its URL")
        assert match is not True and match is not None, log.read_text()
        url, printed_port, token = match.groups()
        assert int(printed_port) == port
        base = f"http://127.0.0.1:{port}"
        served = wait_until(
            lambda: proc.poll() is None and _get(
                f"{base}/api/contents/01-quickstart.ipynb?token={token}"),
            90, what="JupyterLab to serve the quick-start notebook")
        shipped = json.loads((REPO / "notebooks" / "01-quickstart.ipynb").read_text())
        assert [c["source"] for c in served["content"]["cells"]] == \
            ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
             for c in shipped["cells"]]
        # Lab's own page for the printed URL answers (the tree route of the quick-start).
        with urllib.request.urlopen(url, timeout=10) as page:
            assert page.status == 200
        # Without the token, nothing is served: the demo does not open an unauthenticated server.
        assert _get(f"{base}/api/contents/01-quickstart.ipynb") is None
    finally:
        _stop(proc)
    assert edited.read_text().startswith('{"cells": []'), "the user's notebook was overwritten"
    assert "Kept your copies of 02-regex-playground.ipynb" in log.read_text()
    copied = sorted(p.name for p in workdir.glob("*.ipynb"))
    assert copied == sorted(p.name for p in (REPO / "notebooks").glob("[0-9][0-9]-*.ipynb"))
