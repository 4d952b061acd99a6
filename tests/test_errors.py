"""One-line messages from other people's text (issue 14, item 7)."""

from __future__ import annotations

import http.server
import threading

import pytest

from metricwidgets.errors import one_line

PAGE = ("<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n"
        "<body><h1>Bad Gateway</h1>\n<p>nginx</p></body></html>\n") * 20


def test_an_html_page_becomes_a_short_note_with_its_title():
    text = one_line(PAGE)
    assert "\n" not in text and len(text) < 200
    assert "HTML page titled '502 Bad Gateway'" in text


def test_other_text_is_flattened_and_cut():
    assert one_line("a\n  b\tc") == "a b c"
    assert len(one_line("x " * 500)) == 200


class _HTMLHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = PAGE.encode()
        self.send_response(502)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def html_endpoint():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _HTMLHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_an_endpoint_answering_an_html_page_gives_a_one_line_aws_error(html_endpoint):
    import boto3
    from botocore.config import Config

    from metricwidgets.sources.aws import translate_error

    client = boto3.client("sagemaker", region_name="us-east-1", endpoint_url=html_endpoint,
                          aws_access_key_id="test", aws_secret_access_key="test",
                          config=Config(retries={"max_attempts": 1}))
    with pytest.raises(Exception) as caught:
        client.describe_training_job(TrainingJobName="job")
    message = str(translate_error(caught.value, "describing training job 'job'"))
    assert "\n" not in message and len(message) < 300
    assert "HTML page titled '502 Bad Gateway'" in message
    assert "<html>" not in message
