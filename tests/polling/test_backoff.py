"""The backoff policy (intervals and error backoff on an injected clock) and the verdict on
each kind of error a poll round can raise (botocore's own exceptions, as boto3 raises them)."""

from __future__ import annotations

import botocore.exceptions as bex
import pytest

from metricwidgets.errors import AWSError, InputError, UserFacingError
from metricwidgets.polling.backoff import FATAL_CODES, BackoffPolicy, classify_error
from metricwidgets.polling.watch import Watch
from metricwidgets.polling.watched_job import WatchedJob
from tests.polling.scripted import ScriptedSource
from tests.waiting import FakeClock


def _policy(clock=None, jitter=lambda low, high: high, **kwargs):
    kwargs.setdefault("min_interval", 0.1)
    kwargs.setdefault("max_interval", 1.0)
    kwargs.setdefault("max_backoff", 10.0)
    return BackoffPolicy(clock=clock or FakeClock(), jitter=jitter, **kwargs)


def _client_error(code, message, status=400, operation="DescribeTrainingJob"):
    return bex.ClientError({"Error": {"Code": code, "Message": message},
                            "ResponseMetadata": {"HTTPStatusCode": status}}, operation)


def test_the_interval_grows_by_half_while_idle_up_to_the_cap_and_resets_when_data_flows():
    policy = _policy()
    delays = [policy.succeeded(flowed=False) for _ in range(8)]
    assert delays[:3] == pytest.approx([0.15, 0.225, 0.3375])
    assert delays == sorted(delays) and delays[-1] == 1.0 and max(delays) == 1.0
    assert policy.succeeded(flowed=True) == 0.1
    assert policy.interval == 0.1


def test_a_watch_polls_at_the_policys_intervals(poller):
    source = ScriptedSource()
    watch = Watch([WatchedJob(source.name, source)], [{"Name": "loss", "Regex": "loss=(.*)"}],
                  poller=poller, start=False, min_interval=0.1, max_interval=1.0)
    delays = [watch.poll_once() for _ in range(8)]
    assert delays == sorted(delays) and delays[-1] == 1.0 and delays[0] < delays[-1]
    source.push_lines("algo-1", ["loss=1"])
    assert watch.poll_once() == 0.1


def test_failures_double_the_delay_with_jitter_up_to_max_backoff():
    asked = []

    def jitter(low, high):
        asked.append((low, high))
        return low  # the shortest the jitter may give

    policy = _policy(jitter=jitter, max_backoff=1.0)
    delays = [policy.failed() for _ in range(6)]
    assert delays == pytest.approx([0.1, 0.2, 0.4, 0.5, 0.5, 0.5])  # 0.1 * 2^k * 0.5, capped
    assert asked == [(0.5, 1.0)] * 6
    assert policy.failures == 6


def test_the_jitter_spreads_watches_that_failed_together():
    factors = iter([1.0, 0.5, 0.75])
    policy = _policy(jitter=lambda low, high: next(factors))
    assert [policy.failed() for _ in range(3)] == pytest.approx([0.2, 0.2, 0.6])


def test_a_success_after_failures_resets_the_backoff():
    policy = _policy()
    for _ in range(4):
        policy.failed()
    assert policy.succeeded(flowed=False) == pytest.approx(0.15)
    assert policy.failures == 0
    assert policy.failed() == pytest.approx(0.2)  # counts from one failure again


def test_a_throttled_watch_is_not_due_before_its_backoff_has_passed():
    # What a Retry-After would say, the policy keeps: no poll before the delay it chose.
    clock = FakeClock(100.0)
    policy = _policy(clock)
    assert policy.due == 100.0  # due at once when made
    delay = policy.failed()
    policy.schedule(delay)
    assert policy.due == 100.0 + delay
    clock.now = 100.0 + delay / 2
    assert policy.due > clock()
    clock.now = 130.0
    policy.restart()  # a resume: at once, at the shortest interval
    assert policy.due == 130.0 and policy.interval == 0.1


@pytest.mark.parametrize("exc, code", [
    (_client_error("ThrottlingException", "Rate exceeded"), "throttled"),
    (_client_error("TooManyRequestsException", "Too many requests"), "throttled"),
    (_client_error("InternalFailure", "We encountered an internal error", status=500), None),
    (_client_error("ServiceUnavailable", "Service is unavailable", status=503), None),
    (bex.EndpointConnectionError(endpoint_url="https://logs.us-east-1.amazonaws.com"),
     "unreachable"),
    (bex.ReadTimeoutError(endpoint_url="https://logs.us-east-1.amazonaws.com"), "unreachable"),
])
def test_throttling_server_errors_and_an_unreachable_endpoint_are_warnings_retried(exc, code):
    verdict = classify_error("job-1", exc)
    assert not verdict.fatal and verdict.level == "warning"
    assert isinstance(verdict.error, AWSError)
    assert str(verdict.error).startswith("job-1: ")
    if code:
        assert verdict.error.code == code


@pytest.mark.parametrize("exc, code", [
    (_client_error("ExpiredTokenException", "The security token included in the request is "
                                            "expired"), "credentials"),
    (_client_error("UnrecognizedClientException", "The security token is invalid"),
     "credentials"),
    (bex.NoCredentialsError(), "credentials"),
    (_client_error("AccessDeniedException", "not authorized to perform logs:GetLogEvents"),
     "permission"),
])
def test_credentials_and_permission_are_errors_but_the_watch_keeps_trying(exc, code):
    verdict = classify_error("job-1", exc)
    assert (verdict.fatal, verdict.level, verdict.error.code) == (False, "error", code)
    assert "\n" not in str(verdict.error)


@pytest.mark.parametrize("exc", [
    _client_error("ValidationException", "Requested resource not found."),
    _client_error("ResourceNotFoundException", "The specified log group does not exist."),
])
def test_a_missing_job_stops_the_watch(exc):
    verdict = classify_error("job-1", exc)
    assert verdict.fatal and verdict.level == "error"
    assert verdict.error.code in FATAL_CODES
    assert "not found" in str(verdict.error)


def test_our_own_errors_pass_through_and_a_bug_is_named_not_raised():
    throttled = AWSError("AWS is throttling requests; backing off.", "throttled", 429)
    assert classify_error("job-1", throttled).error is throttled
    assert classify_error("job-1", throttled).level == "warning"
    bad = InputError("bad definition")
    assert classify_error("job-1", bad) == classify_error("job-1", bad)
    assert classify_error("job-1", bad).error is bad and classify_error("job-1", bad).level == "error"
    bug = classify_error("job-1", ZeroDivisionError("division by zero"))
    assert type(bug.error) is UserFacingError and not bug.fatal and bug.level == "error"
    assert str(bug.error) == "job-1: ZeroDivisionError: division by zero"
