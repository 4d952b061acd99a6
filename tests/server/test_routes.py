"""The server extension's REST endpoints, through a real jupyter_server and the moto stand-in.

Given jobs on the stand-in, when a client calls ``<base_url>/metricwidgets/...`` with
pytest-jupyter's ``jp_fetch``, then the answer is the JSON the sidebar reads, and every AWS
failure is a JSON error with the status the sidebar explains (never 401/403 for AWS's
refusals: those statuses stay Jupyter's own).

The stand-in here serves its own region: moto keeps one state per region in the process, so
these tests see only their own jobs even when the session's shared stand-in holds others.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time

import pytest
import tornado.httpclient

from metricwidgets.testing.standin import StandIn
from tests.black_hole import SilentEndpoint
from tests.waiting import poll_until_async

pytestmark = pytest.mark.aws

REGION = "ap-southeast-2"
DEFS = [{"Name": "train:loss", "Regex": "loss=([0-9.]+)"}]
#: A name SageMaker would refuse, as a broken or hostile endpoint may list it.
HOSTILE = "routes-evil\nimport os; os.system('touch pwned') #"


@pytest.fixture(scope="module")
def aws():
    """A stand-in holding three jobs (Failed, Completed, InProgress; newest last) and a
    tuning job with two children."""
    with StandIn(region=REGION) as standin:
        standin.create_job("routes-old-failed", DEFS, started_seconds_ago=3000)
        standin.finish_job("routes-old-failed", "Failed", failure_reason="AlgorithmError: boom")
        standin.create_job("routes-mid-done", DEFS, started_seconds_ago=2000)
        standin.finish_job("routes-mid-done", "Completed", {"train:loss": 0.063})
        standin.create_job("routes-new-running", DEFS, started_seconds_ago=1000)
        standin.set_status("routes-new-running", "InProgress", "Training")
        standin.create_tuning_job("routes-hpo", children=["routes-hpo-001", "routes-hpo-002"])
        standin.finish_job("routes-hpo-001", "Completed", {"validation:error": 0.25})
        standin.create_job(HOSTILE, DEFS, started_seconds_ago=4000)
        yield standin


def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def endpoint_url(aws):
    return aws.endpoint_url


@pytest.fixture
def cache_seconds():
    return 0.0


@pytest.fixture
def jp_server_config(endpoint_url, cache_seconds, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    return {"ServerApp": {"jpserver_extensions": {"metricwidgets": True}},
            "MetricWidgets": {"endpoint_url": endpoint_url, "region": REGION,
                              "cache_seconds": cache_seconds}}


async def get_json(jp_fetch, *parts, **params):
    response = await jp_fetch("metricwidgets", *parts, params=params)
    assert response.code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    return json.loads(response.body)


async def get_error(jp_fetch, *parts, **params):
    with pytest.raises(tornado.httpclient.HTTPClientError) as caught:
        await jp_fetch("metricwidgets", *parts, params=params)
    return caught.value.code, json.loads(caught.value.response.body)


def names(page):
    return [job["name"] for job in page["jobs"]]


async def test_jobs_are_listed_newest_first_with_status_and_times(jp_fetch):
    page = await get_json(jp_fetch, "jobs", name="routes-")
    assert names(page) == ["routes-hpo-002", "routes-hpo-001", "routes-new-running",
                           "routes-mid-done", "routes-old-failed", HOSTILE]
    by_name = {job["name"]: job for job in page["jobs"]}
    assert by_name["routes-old-failed"]["status"] == "Failed"
    assert by_name["routes-mid-done"]["status"] == "Completed"
    assert by_name["routes-mid-done"]["end_time"].endswith("Z")
    assert by_name["routes-new-running"]["status"] == "InProgress"
    assert by_name["routes-new-running"]["end_time"] is None
    assert page["next_token"] is None


async def test_name_filter_keeps_only_matching_jobs(jp_fetch):
    page = await get_json(jp_fetch, "jobs", name="mid")
    assert names(page) == ["routes-mid-done"]


async def test_status_filter_is_case_insensitive(jp_fetch):
    page = await get_json(jp_fetch, "jobs", name="routes-", status="failed")
    assert names(page) == ["routes-old-failed"]


async def test_pages_follow_next_token_until_every_job_is_seen(jp_fetch):
    everything = names(await get_json(jp_fetch, "jobs", page_size="100"))
    seen, token = [], None
    while True:
        page = await get_json(jp_fetch, "jobs", page_size="2", **(
            {"next_token": token} if token else {}))
        assert len(page["jobs"]) <= 2
        seen += names(page)
        token = page["next_token"]
        if not token:
            break
    assert len(seen) == len(set(seen)) >= 5
    assert sorted(seen) == sorted(everything)


async def test_describe_gives_status_times_final_metrics_and_definitions(jp_fetch):
    job = await get_json(jp_fetch, "jobs", "routes-mid-done")
    assert job["name"] == "routes-mid-done"
    assert (job["status"], job["secondary_status"]) == ("Completed", "Completed")
    assert job["start_time"] < job["end_time"]
    assert job["final_metrics"][0]["name"] == "train:loss"
    assert job["final_metrics"][0]["value"] == pytest.approx(0.063, rel=1e-6)
    assert job["definitions"] == DEFS
    assert [t["status"] for t in job["transitions"]][-1] == "Completed"
    assert job["billable_seconds"] >= 1


async def test_describe_a_failed_job_gives_its_failure_reason(jp_fetch):
    job = await get_json(jp_fetch, "jobs", "routes-old-failed")
    assert job["status"] == "Failed"
    assert job["failure_reason"] == "AlgorithmError: boom"


async def test_tuning_jobs_are_listed_and_described_with_children(jp_fetch):
    page = await get_json(jp_fetch, "tuning-jobs")
    assert [job["name"] for job in page["tuning_jobs"]] == ["routes-hpo"]
    tuning = await get_json(jp_fetch, "tuning-jobs", "routes-hpo")
    assert tuning["status"] == "InProgress"
    assert tuning["objective"] == {"name": "validation:error", "type": "Minimize"}
    children = {child["name"]: child for child in tuning["children"]}
    assert set(children) == {"routes-hpo-001", "routes-hpo-002"}
    assert children["routes-hpo-001"]["status"] == "Completed"
    assert children["routes-hpo-001"]["objective"]["value"] == pytest.approx(0.25)


async def test_unknown_job_is_404_with_a_message(jp_fetch):
    status, body = await get_error(jp_fetch, "jobs", "no-such-job")
    assert status == 404
    assert body["code"] == "not-found"
    assert "no-such-job" in body["message"]


async def test_unknown_tuning_job_is_404(jp_fetch):
    status, body = await get_error(jp_fetch, "tuning-jobs", "no-such-hpo")
    assert (status, body["code"]) == (404, "not-found")


@pytest.mark.parametrize("params, says", [
    ({"status": "Running"}, "InProgress"),
    ({"page_size": "500"}, "1..100"),
    ({"page_size": "many"}, "whole number"),
])
async def test_bad_filters_are_400_saying_what_is_allowed(jp_fetch, params, says):
    status, body = await get_error(jp_fetch, "jobs", **params)
    assert (status, body["code"]) == (400, "input")
    assert says in body["message"]


async def test_request_without_the_token_is_refused(jp_fetch):
    with pytest.raises(tornado.httpclient.HTTPClientError) as caught:
        await jp_fetch("metricwidgets", "jobs", headers={"Authorization": "token wrong"})
    assert caught.value.code == 403


@pytest.fixture
def sagemaker_answers(monkeypatch):
    """Make the stand-in answer ``ListTrainingJobs`` with an AWS error, as SageMaker would
    (a JSON ``__type`` and message); returns the list of calls it received."""
    from moto.core.exceptions import JsonRESTError
    from moto.sagemaker.responses import SageMakerResponse

    calls = []

    def arm(code: str, message: str):
        def refuse(self):
            calls.append(code)
            raise JsonRESTError(code, message)

        monkeypatch.setattr(SageMakerResponse, "list_training_jobs", refuse)
        return calls

    return arm


@pytest.mark.parametrize("code, message", [
    ("UnrecognizedClientException", "The security token included in the request is invalid."),
    ("ExpiredTokenException", "The security token included in the request is expired"),
])
async def test_refused_or_expired_credentials_are_424_saying_how_to_refresh_them(
        jp_fetch, sagemaker_answers, code, message):
    sagemaker_answers(code, message)
    status, body = await get_error(jp_fetch, "jobs")
    assert (status, body["code"]) == (424, "credentials")
    assert code in body["message"] and "Refresh them" in body["message"]


async def test_missing_credentials_are_424_with_how_to_configure_them_or_try_the_standin(
        jp_fetch, monkeypatch, tmp_path):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", raising=False)
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", raising=False)
    status, body = await get_error(jp_fetch, "jobs")
    assert (status, body["code"]) == (424, "credentials")
    assert "aws configure" in body["message"]
    assert "profile=" not in body["message"]  # a sidebar has no profile=... to pass
    for advice in ("aws configure", "AWS_PROFILE", "c.MetricWidgets.profile", "--demo-jobs"):
        assert advice in body["hint"]


async def test_a_user_without_aws_permission_gets_424_not_jupyters_403(jp_fetch,
                                                                       sagemaker_answers):
    sagemaker_answers("AccessDeniedException", "User: arn:aws:iam::123456789012:user/ann "
                      "is not authorized to perform: sagemaker:ListTrainingJobs")
    status, body = await get_error(jp_fetch, "jobs")
    assert (status, body["code"]) == (424, "permission")
    assert "sagemaker:ListTrainingJobs" in body["message"]


async def test_throttling_is_429_with_retry_after(jp_fetch, sagemaker_answers):
    calls = sagemaker_answers("ThrottlingException", "Rate exceeded")
    with pytest.raises(tornado.httpclient.HTTPClientError) as caught:
        await jp_fetch("metricwidgets", "jobs")
    assert caught.value.code == 429
    assert json.loads(caught.value.response.body)["code"] == "throttled"
    assert caught.value.response.headers["Retry-After"] == "2"
    assert len(calls) == 2  # botocore retried once (MetricWidgets.retries = 1), then gave up


@pytest.mark.parametrize("endpoint_url", [f"http://127.0.0.1:{closed_port()}"])
async def test_unreachable_aws_is_502(jp_fetch, endpoint_url):
    status, body = await get_error(jp_fetch, "jobs")
    assert (status, body["code"]) == (502, "unreachable")
    assert "could not be reached" in body["message"]


@pytest.mark.parametrize("cache_seconds", [60.0])
async def test_identical_requests_within_the_cache_time_reuse_one_answer(jp_fetch, aws,
                                                                      cache_seconds):
    first = await get_json(jp_fetch, "jobs", name="later-cache")
    aws.create_job("later-cache-late", DEFS)
    again = await get_json(jp_fetch, "jobs", name="later-cache")
    other = await get_json(jp_fetch, "jobs", name="later-cache-")
    assert names(first) == names(again) == []
    assert names(other) == ["later-cache-late"]


async def test_without_cache_a_new_job_shows_on_the_next_request(jp_fetch, aws):
    assert names(await get_json(jp_fetch, "jobs", name="later-fresh")) == []
    aws.create_job("later-fresh-late", DEFS)
    assert names(await get_json(jp_fetch, "jobs", name="later-fresh")) == ["later-fresh-late"]


async def test_a_name_sagemaker_would_refuse_is_listed_as_invalid_with_a_reason(jp_fetch):
    page = await get_json(jp_fetch, "jobs", name="routes-")
    reasons = {job["name"]: job["invalid_reason"] for job in page["jobs"]}
    assert "line break" in reasons.pop(HOSTILE)
    assert set(reasons.values()) == {None}


async def test_tuning_children_carry_their_name_check(jp_fetch):
    tuning = await get_json(jp_fetch, "tuning-jobs", "routes-hpo")
    assert tuning["invalid_reason"] is None
    assert [child["invalid_reason"] for child in tuning["children"]] == [None, None]
    page = await get_json(jp_fetch, "tuning-jobs")
    assert [job["invalid_reason"] for job in page["tuning_jobs"]] == [None]


@pytest.mark.parametrize("kind", ["jobs", "tuning-jobs"])
@pytest.mark.parametrize("name, says", [
    (HOSTILE, "line break"),
    ("job;rm -rf ~", "not a SageMaker job name"),
    ("-starts-with-hyphen", "not a SageMaker job name"),
    ("x" * 64, "64 characters"),
    ("{__import__('os')}", "not a SageMaker job name"),
])
async def test_describing_a_name_sagemaker_would_refuse_is_400(jp_fetch, kind, name, says):
    status, body = await get_error(jp_fetch, kind, name)
    assert (status, body["code"]) == (400, "invalid-name")
    assert says in body["message"]


@pytest.fixture
def black_hole():
    hole = SilentEndpoint()
    yield hole
    hole.close()


def _bounded_config(url, monkeypatch, request_timeout):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    return {"ServerApp": {"jpserver_extensions": {"metricwidgets": True}},
            "MetricWidgets": {"endpoint_url": url, "region": REGION, "cache_seconds": 0.0,
                              "request_timeout": request_timeout, "retries": 0}}


@pytest.fixture
def request_timeout():
    return 2.0


@pytest.fixture
def jp_server_config_black_hole(black_hole, monkeypatch, request_timeout):
    return _bounded_config(black_hole.url, monkeypatch, request_timeout)


class TestBlackHoledEndpoint:
    """Each request is bounded, and many at once do not queue behind the workers."""

    @pytest.fixture
    def jp_server_config(self, jp_server_config_black_hole):
        return jp_server_config_black_hole

    async def test_one_request_answers_504_within_its_timeout(self, jp_fetch):
        started = time.monotonic()
        status, body = await get_error(jp_fetch, "jobs")
        took = time.monotonic() - started
        assert (status, body["code"]) in {(504, "timeout"), (502, "unreachable")}
        # request_timeout (2 s) plus slack for a loaded machine; before: 60 s
        assert took < 10.0, took

    async def test_twelve_requests_at_once_all_answer_within_the_timeout(self, jp_fetch):
        started = time.monotonic()
        answers = await asyncio.gather(*[
            get_error(jp_fetch, "jobs", name=f"filter-{i}") for i in range(12)])
        took = time.monotonic() - started
        assert {code for _, body in answers for code in [body["code"]]} <= {
            "timeout", "unreachable"}
        # request_timeout (2 s) plus slack, not 12 / workers rounds of waiting; before: 120 s+
        assert took < 10.0, took

    @pytest.mark.parametrize("request_timeout", [6.0])
    async def test_a_request_whose_client_left_drops_its_queued_call(
            self, jp_fetch, jp_serverapp, black_hole, request_timeout):
        from metricwidgets.server.routes import MAX_WORKERS

        # more clients than workers, each giving up after 0.5 s
        count = MAX_WORKERS + 6
        results = await asyncio.gather(*[
            jp_fetch("metricwidgets", "jobs", params={"name": f"left-{i}"},
                     request_timeout=0.5) for i in range(count)], return_exceptions=True)
        assert all(isinstance(r, Exception) for r in results)
        executor = jp_serverapp.web_app.settings["metricwidgets"]["executor"]
        # the calls already running finish on botocore's read timeout (6 s / 1 attempt);
        # the queued ones were dropped: the endpoint never sees more than the workers
        assert await poll_until_async(lambda: executor._work_queue.qsize() == 0, 20)
        assert len(black_hole.accepted) <= MAX_WORKERS


async def test_every_answer_says_where_its_jobs_live_for_the_cells_the_sidebar_writes(
        jp_fetch, endpoint_url):
    where = {"region": REGION, "profile": None, "endpoint_url": endpoint_url}
    assert (await get_json(jp_fetch, "jobs", name="routes-"))["aws"] == where
    assert (await get_json(jp_fetch, "tuning-jobs"))["aws"] == where
    assert (await get_json(jp_fetch, "tuning-jobs", "routes-hpo"))["aws"] == where
    assert (await get_json(jp_fetch, "jobs", "routes-mid-done"))["aws"] == where


@pytest.mark.parametrize("kind", ["jobs", "tuning-jobs"])
async def test_a_next_token_aws_refuses_is_400_bad_token_saying_what_to_do(jp_fetch, kind):
    status, body = await get_error(jp_fetch, kind, next_token="garbage")
    assert (status, body["code"]) == (400, "bad-token")
    assert "first page" in body["message"] and "{0}" not in body["message"]
