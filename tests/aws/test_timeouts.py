"""A black-holed endpoint fails within ~15 s with one line, through the API and the CLI.

Two real black holes on 127.0.0.1: a server that accepts connections and never answers (a
hung proxy), and one that never accepts them (its accept queue is full, so new connections
are never completed: what a firewall dropping packets looks like).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest

from metricwidgets.errors import AWSError
from metricwidgets.api import fetch_job_metrics
from tests.black_hole import SilentEndpoint

pytestmark = pytest.mark.aws

#: What "fail within ~15 s" allows, the CLI's interpreter start included.
_LIMIT = 15.0
_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_DEFAULT_REGION": "us-east-1"}


class _NeverAccepts:
    """Listens with a full accept queue: a new connection's handshake never completes."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(0)
        port = self.sock.getsockname()[1]
        self.held = []
        for _ in range(4):  # more than the queue takes
            conn = socket.socket()
            conn.setblocking(False)
            try:
                conn.connect(("127.0.0.1", port))
            except BlockingIOError:
                pass
            self.held.append(conn)
        probe = socket.socket()
        probe.settimeout(1.0)
        try:
            with pytest.raises(TimeoutError):  # the hole is real before the test relies on it
                probe.connect(("127.0.0.1", port))
        finally:
            probe.close()

    def close(self):
        for conn in self.held:
            conn.close()
        self.sock.close()


@pytest.fixture(params=[SilentEndpoint, _NeverAccepts], ids=["accepts-never-answers", "never-accepts"])
def black_hole(request):
    hole = request.param()
    yield f"http://127.0.0.1:{hole.sock.getsockname()[1]}", request.param
    hole.close()


def test_the_api_fails_within_15_s_with_one_line(black_hole, monkeypatch):
    url, kind = black_hole
    for key, value in _CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    start = time.monotonic()
    with pytest.raises(AWSError) as caught:
        fetch_job_metrics("job-1", endpoint_url=url, region="us-east-1")
    elapsed = time.monotonic() - start
    assert elapsed < _LIMIT
    assert caught.value.code == "unreachable"
    message = str(caught.value)
    assert "\n" not in message and "could not be reached" in message
    assert ("Read timeout" if kind is SilentEndpoint else "Connect timeout") in message


def test_the_cli_fails_within_15_s_with_one_line(black_hole):
    url, _ = black_hole
    env = dict(os.environ, **_CREDENTIALS)
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "metricwidgets", "fetch", "job-1",
                           "--endpoint-url", url], capture_output=True, text=True, env=env,
                          timeout=120, check=False)
    elapsed = time.monotonic() - start
    assert elapsed < _LIMIT, done.stderr
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "could not be reached" in lines[0], done.stderr
