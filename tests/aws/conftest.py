"""AWS-layer fixtures: call counting and fault injection through botocore's event hooks.

``calls`` is a :class:`CallLog`: a boto3 session (pass ``**calls.aws``) whose clients record
every HTTP attempt as it goes out (after the call budget let it through), every log event
``GetLogEvents`` returned, and answer chosen operations with injected errors.
"""

from __future__ import annotations

import collections
import json
import threading
import time

import boto3
import pytest
from botocore.awsrequest import AWSResponse

pytestmark = pytest.mark.aws


class _Body:
    def __init__(self, data: bytes):
        self._data = data

    def stream(self, **_):
        yield self._data


def error_response(url: str, code: str, message: str, status: int = 400) -> AWSResponse:
    """What AWS's JSON protocol answers for an error ``code``."""
    body = json.dumps({"__type": code, "message": message}).encode()
    return AWSResponse(url, status, {"x-amzn-errortype": code,
                                     "Content-Type": "application/x-amz-json-1.1",
                                     "Content-Length": str(len(body))}, _Body(body))


class CallLog:
    """Counts calls and injects faults for every client made from :attr:`session`."""

    def __init__(self, standin):
        self.session = boto3.Session(aws_access_key_id="testing",
                                     aws_secret_access_key="testing",
                                     region_name=standin.region)
        self.aws = {"session": self.session, "endpoint_url": standin.endpoint_url,
                    "region": standin.region}
        self._lock = threading.Lock()
        self.sent: list[tuple[float, str]] = []
        self.events: collections.Counter = collections.Counter()
        self.bytes = 0
        self._faults: dict[str, list] = {}
        events = self.session.events
        # Last, so that the time recorded is when the attempt really leaves (after the budget).
        events.register_last("before-send", self._before_send)
        events.register("after-call.cloudwatch-logs.GetLogEvents", self._after_get)
        events.register("after-call", self._after_call)

    def inject(self, operation: str, times: int, code: str = "ThrottlingException",
               message: str = "Rate exceeded", status: int = 400) -> None:
        """Answer the next ``times`` attempts of ``operation`` with error ``code``."""
        with self._lock:
            self._faults[operation] = [times, code, message, status]

    def count(self, operation: str) -> int:
        with self._lock:
            return sum(1 for _, op in self.sent if op == operation)

    def times(self, operation: str) -> list[float]:
        with self._lock:
            return [t for t, op in self.sent if op == operation]

    def _before_send(self, request, event_name, **_):
        operation = event_name.rsplit(".", 1)[-1]
        with self._lock:
            self.sent.append((time.monotonic(), operation))
            fault = self._faults.get(operation)
            if fault and fault[0] > 0:
                fault[0] -= 1
                return error_response(request.url, *fault[1:])
        return None

    def _after_get(self, parsed, **_):
        with self._lock:
            for event in parsed.get("events", []):
                self.events[event["message"]] += 1

    def _after_call(self, http_response, **_):
        with self._lock:
            self.bytes += len(http_response.content or b"")


@pytest.fixture
def calls(standin):
    return CallLog(standin)


@pytest.fixture
def fast_budget():
    """Raise the process-wide call budget for tests that measure something else than it
    (a 100,000-line job needs more than 10 GetLogEvents a second to finish quickly)."""
    from metricwidgets.sources.budget import default_budget

    budget = default_budget()
    saved = dict(budget.rates)
    for key in list(budget.rates):
        budget.rates[key] = 1000
    yield budget
    budget.rates.clear()
    budget.rates.update(saved)
