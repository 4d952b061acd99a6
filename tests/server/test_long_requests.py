"""An over-long request to the endpoints is answered in JSON, by a real ``jupyter server``.

Given a Jupyter server started as a user starts it (its own process, its own tornado
HTTPServer: the one whose request-line bound dropped a 100 KB query unanswered), when a
client sends the endpoints a 100 KB query string, then it gets a 414 whose JSON body says
how long the address was and what the limit is, with the documented code ``input``. The
requests are sent with ``http.client``: no client-side limit, the bytes as written.

pytest-jupyter's test server (``jp_fetch``) is a plain tornado HTTPServer that the extension
does not reach; it checks the handlers' own 414 on an address under tornado's 64 KiB.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys

import pytest
import tornado.httpclient

from metricwidgets.server.limits import HEADER_BYTES, MAX_URI_BYTES
from tests.processes import stop
from tests.waiting import wait_until


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(port: int, path: str) -> tuple[int, dict, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A ``jupyter server`` with the extension, AWS pointed at a port nothing listens on
    (no request here reaches AWS)."""
    root = tmp_path_factory.mktemp("long-requests")
    config = root / "config.json"
    config.write_text(json.dumps({
        "ServerApp": {"jpserver_extensions": {"metricwidgets": True}},
        "MetricWidgets": {"region": "us-east-1",
                          "endpoint_url": f"http://127.0.0.1:{_free_port()}"}}))
    port = _free_port()
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    log = open(root / "server.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter_server", "--allow-root", "--no-browser",
         "--ip=127.0.0.1", f"--port={port}", "--IdentityProvider.token=",
         "--ServerApp.password=", f"--ServerApp.root_dir={root}", f"--config={config}"],
        stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root)

    def ready():
        if proc.poll() is not None:
            raise RuntimeError(f"jupyter server exited: {(root / 'server.log').read_text()}")
        try:
            return _get(port, "/api/status")[0] == 200
        except OSError:
            return False

    try:
        wait_until(ready, 90, what="jupyter server to answer")
        yield port
    finally:
        stop(proc)
        log.close()


@pytest.mark.parametrize("path", ["/metricwidgets/jobs", "/metricwidgets/tuning-jobs",
                                  "/metricwidgets/jobs/some-job"])
def test_a_100_kb_query_string_is_a_json_414(server, path):
    query = "?name=" + "a" * 100_000
    status, headers, body = _get(server, path + query)
    assert status == 414
    assert headers["Content-Type"].startswith("application/json")
    answer = json.loads(body)
    assert answer["code"] == "input"
    uri_bytes = len(path + query)
    assert answer["message"] == (
        f"the request's address is {uri_bytes:,} bytes long; these endpoints take at most "
        f"{MAX_URI_BYTES:,} (a job name is at most 63 characters): shorten the name filter "
        "or the page token.")


def test_a_query_string_the_endpoints_take_is_still_answered(server):
    # Just under the limit: the handlers read it (a name that cannot be a job's, refused
    # before any AWS call).
    path = "/metricwidgets/jobs/"
    name = "x" * (MAX_URI_BYTES - len(path))
    status, _, body = _get(server, path + name)
    assert status == 400 and json.loads(body)["code"] == "invalid-name"


def test_the_server_reads_up_to_its_raised_bound(server):
    # Close to the raised bound the answer is still the endpoints' JSON, not a dropped line.
    status, _, body = _get(server, "/metricwidgets/jobs?name=" + "b" * (HEADER_BYTES - 4096))
    assert status == 414 and json.loads(body)["code"] == "input"


@pytest.fixture
def jp_server_config(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    return {"ServerApp": {"jpserver_extensions": {"metricwidgets": True}},
            "MetricWidgets": {"region": "us-east-1",
                              "endpoint_url": f"http://127.0.0.1:{_free_port()}"}}


async def test_the_handlers_refuse_a_long_address_themselves(jp_fetch):
    with pytest.raises(tornado.httpclient.HTTPClientError) as info:
        await jp_fetch("metricwidgets", "jobs", params={"next_token": "t" * 40_000})
    assert info.value.code == 414
    answer = json.loads(info.value.response.body)
    assert answer["code"] == "input" and "shorten" in answer["message"]
