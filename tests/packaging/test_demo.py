"""``metricwidgets demo --no-browser`` serves the quick-start notebook, headless, installing nothing."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.browser.lab import wait_until
from tests.packaging.demo_process import running_demo

REPO = Path(__file__).resolve().parents[2]


def _get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return json.load(response)
    except OSError:
        return None


def _sources(cells) -> list[str]:
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in cells]


@pytest.mark.timeout(180)
def test_demo_serves_the_quickstart_notebook_headless_and_keeps_user_edits(tmp_path):
    workdir = tmp_path / "demo"
    workdir.mkdir()
    edited = workdir / "02-regex-playground.ipynb"
    edited.write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    log = tmp_path / "demo.log"
    with running_demo(workdir, log) as (url, port, token):
        base = f"http://127.0.0.1:{port}"
        served = wait_until(lambda: _get(f"{base}/api/contents/01-quickstart.ipynb?token={token}"),
                            90, what="JupyterLab to serve the quick-start notebook")
        shipped = json.loads((REPO / "notebooks" / "01-quickstart.ipynb").read_text())
        assert _sources(served["content"]["cells"]) == _sources(shipped["cells"])
        # The printed URL is Lab's page for the quick-start.
        with urllib.request.urlopen(url, timeout=10) as page:
            assert page.status == 200
        # Without the token nothing is served: the demo is not an open server.
        assert _get(f"{base}/api/contents/01-quickstart.ipynb") is None
    assert edited.read_text().startswith('{"cells": []'), "the user's notebook was overwritten"
    assert "Kept your copies of 02-regex-playground.ipynb" in log.read_text()
    copied = sorted(p.name for p in workdir.glob("*.ipynb"))
    assert copied == sorted(p.name for p in (REPO / "notebooks").glob("[0-9][0-9]-*.ipynb"))


def test_demo_refuses_a_busy_port_in_one_line_and_writes_nothing(tmp_path):
    workdir = tmp_path / "demo"
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "metricwidgets", "demo", "--no-browser", f"--port={port}",
             f"--dir={workdir}"], capture_output=True, text=True, timeout=60,
            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"metricwidgets demo: error: port {port} on 127.0.0.1 is already in use")
    assert not workdir.exists()
