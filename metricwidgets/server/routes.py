"""REST endpoints under ``<base_url>/metricwidgets/``: the account's jobs for the sidebar.

======================================  ==========================================
``GET jobs``                             training jobs, newest first, one page
                                         (``?name=&status=&next_token=&page_size=``)
``GET jobs/<name>``                      one training job: status, times, final
                                         metrics, metric definitions
``GET tuning-jobs``                      tuning jobs, newest first, one page
``GET tuning-jobs/<name>``               one tuning job with its child jobs
======================================  ==========================================

The handlers are thin: :class:`~metricwidgets.sources.catalog.Catalog` does the AWS work in
a worker thread, an :class:`~metricwidgets.server.cache.AnswerCache` shares answers between
tabs, and :class:`CatalogHandler` is the one place that turns failures into JSON errors
``{"message": ..., "code": ..., "hint": ...}``:

====  =====================================================================================
400   a bad filter (``input``), a ``next_token`` AWS does not take (``bad-token``) or a name
      that is not a SageMaker job name (``invalid-name``)
404   unknown job (``not-found``)
414   an address (path and query) over 32 KiB (``input``; :mod:`metricwidgets.server.limits`
      also lets the server read up to 1 MiB of it, where tornado dropped 64 KiB unanswered)
424   the AWS credentials are missing, refused or lack a permission, or no region is set
      (``credentials``, ``permission``, ``config``; ``AWSError.http_status``): the request
      depends on AWS, which refused it. Never 401/403, which stay Jupyter's own answers for
      its login and XSRF checks.
429   throttled by AWS (``throttled``, with ``Retry-After``)
502   AWS unreachable (``unreachable``) or another AWS failure
504   AWS did not answer within ``MetricWidgets.request_timeout`` (``timeout``)
====  =====================================================================================

Where: every answer that is an object carries ``aws``, the server's ``region``, ``profile``
and ``endpoint_url`` (:meth:`~metricwidgets.server.config.MetricWidgets.kernel_settings`;
None when unset): the cells the sidebar inserts pass them to ``%metrics`` and the
playground, so the kernel plots the job that was listed, not one of the same name in its
own default region.

Names: every job name in an answer carries ``invalid_reason`` (None for a name matching
SageMaker's pattern :data:`JOB_NAME`); the sidebar shows the others as invalid and never
puts them into a notebook. ``GET jobs/<name>`` refuses such a name with 400.

Bounds: each request gets at most ``request_timeout`` seconds (queue time included), and
the botocore client's own connect/read timeouts are derived from it, so a black-holed
endpoint answers 504 instead of hanging; a request whose client went away (or whose time
is up) drops its queued AWS call unless another tab waits for the same answer.
"""

from __future__ import annotations

import asyncio
import functools
import json
from concurrent.futures import ThreadPoolExecutor

import tornado.web
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join

from metricwidgets.errors import AWSError, InputError
from metricwidgets.server.cache import AnswerCache
from metricwidgets.server.config import MetricWidgets
from metricwidgets.server.limits import too_long_message
from metricwidgets.sources.catalog import Catalog
from metricwidgets.sources.names import JOB_NAME, invalid_name_reason

__all__ = ["JOB_NAME", "NAMESPACE", "invalid_name_reason", "setup_routes"]

#: The URL namespace of every endpoint, under the server's base URL.
NAMESPACE = "metricwidgets"
_NAME = r"(?P<name>[^/]+)"
_STATE = "metricwidgets"
#: AWS's codes for a paging token it refuses (the listing APIs use either).
_TOKEN_CODES = ("ValidationException", "InvalidToken", "InvalidNextToken")
#: Worker threads for boto3 calls (they wait on the network, not the CPU).
MAX_WORKERS = 8


def _mark_names(result):
    """Give every job of an answer (pages, tuning children, best job) its ``invalid_reason``."""
    if isinstance(result, dict):
        for key in ("jobs", "tuning_jobs", "children"):
            for item in result.get(key) or []:
                item["invalid_reason"] = invalid_name_reason(item.get("name"))
        if result.get("best_training_job"):
            best = result["best_training_job"]
            best["invalid_reason"] = invalid_name_reason(best.get("name"))
        if "name" in result and "status" in result:
            result["invalid_reason"] = invalid_name_reason(result.get("name"))
    return result


#: The command that starts the moto stand-in with a few jobs (metricwidgets[demo]).
STANDIN_COMMAND = "python -m metricwidgets.testing --demo-jobs"


def credentials_hint() -> str:
    """How to give the Jupyter server AWS credentials, or try the sidebar without AWS."""
    return ("Give the Jupyter server AWS credentials, then restart JupyterLab: run "
            "`aws configure` (or `aws sso login`), or set AWS_PROFILE (or AWS_ACCESS_KEY_ID "
            "and AWS_SECRET_ACCESS_KEY) before starting it, or set c.MetricWidgets.profile "
            "and c.MetricWidgets.region in jupyter_server_config.py. To try the sidebar "
            f"without AWS, run `{STANDIN_COMMAND}` and start JupyterLab with the "
            "`export` lines it prints.")


class CatalogHandler(APIHandler):
    """Base of every endpoint: answers JSON, and owns the translation of failures."""

    @property
    def _state(self) -> dict:
        return self.settings[_STATE]

    def _refused_as_too_long(self) -> bool:
        """Answer 414 for an address longer than the endpoints take; True when it did."""
        message = too_long_message(len(self.request.uri))  # latin-1 text: one char a byte
        if message is None:
            return False
        self._fail(414, message, "input")
        return True

    def _page_args(self) -> dict:
        page_size = self.get_query_argument("page_size", "") or self._state["config"].page_size
        try:
            page_size = int(page_size)
        except ValueError:
            raise InputError(f"page_size must be a whole number, not {page_size!r}") from None
        return {"name_contains": self.get_query_argument("name", "").strip() or None,
                "status": self.get_query_argument("status", "").strip() or None,
                "next_token": self.get_query_argument("next_token", "") or None,
                "max_results": page_size}

    async def answer(self, method: str, **kwargs) -> None:
        """Call ``Catalog.<method>(**kwargs)`` (cached) and finish with its JSON or an error.

        At most ``request_timeout`` seconds, queue time included; if the client goes away
        first, the wait is cancelled (and the AWS call dropped unless another tab wants it).
        """
        state = self._state
        timeout = state["config"].request_timeout
        key = (method, tuple(sorted(kwargs.items())))
        call = functools.partial(getattr(state["catalog"], method), **kwargs)

        def compute():
            return asyncio.get_running_loop().run_in_executor(state["executor"], call)

        self._waiting = asyncio.ensure_future(
            asyncio.wait_for(state["cache"].get(key, compute), timeout))
        try:
            result = await self._waiting
        except asyncio.CancelledError:
            if getattr(self, "_client_left", False):
                return  # nobody to answer
            raise
        except asyncio.TimeoutError:
            return self._fail(504, f"AWS did not answer within {timeout:g} s (the endpoint "
                              "may be unreachable or overloaded); the sidebar tries again "
                              "on its next refresh.", "timeout")
        except AWSError as error:
            if kwargs.get("next_token") and error.code in _TOKEN_CODES:
                # The one input AWS validates that we pass through unread: say so plainly
                # (moto's own text for it is a bare "{0}").
                return self._fail(400, "next_token is not one this server gave, or it has "
                                  "expired: list again from the first page.", "bad-token")
            if error.code == "throttled":
                self.set_header("Retry-After", "2")
            return self._fail(error.http_status, str(error), error.code)
        except InputError as error:
            return self._fail(400, str(error), "input")
        self.set_header("Content-Type", "application/json")
        if isinstance(result, dict):
            # Where these jobs live: the cells the sidebar writes pass it to the kernel.
            result = {**result, "aws": state["aws"]}
        self.finish(json.dumps(_mark_names(result)))

    def on_connection_close(self) -> None:
        """The client went away: stop waiting for its answer."""
        self._client_left = True
        waiting = getattr(self, "_waiting", None)
        if waiting is not None and not waiting.done():
            waiting.cancel()
        super().on_connection_close()

    def _fail(self, status: int, message: str, code: str) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        body = {"message": message, "code": code}
        if code in ("credentials", "config"):
            body["hint"] = credentials_hint()
        self.finish(json.dumps(body))


class ListHandler(CatalogHandler):
    """``GET jobs`` and ``GET tuning-jobs``: one page, filtered by ``name`` and ``status``."""

    def initialize(self, method: str) -> None:
        self.method = method

    @tornado.web.authenticated
    async def get(self):
        if self._refused_as_too_long():
            return
        try:
            args = self._page_args()
        except InputError as error:
            return self._fail(400, str(error), "input")
        await self.answer(self.method, **args)


class DescribeHandler(CatalogHandler):
    """``GET jobs/<name>`` and ``GET tuning-jobs/<name>``: one job."""

    def initialize(self, method: str) -> None:
        self.method = method

    @tornado.web.authenticated
    async def get(self, name: str):
        if self._refused_as_too_long():
            return
        reason = invalid_name_reason(name)
        if reason is not None:
            return self._fail(400, f"refused job name {name!r}: {reason}.", "invalid-name")
        await self.answer(self.method, name=name)


def setup_routes(web_app, config: MetricWidgets) -> None:
    """Register the endpoints on ``web_app`` (a tornado Application of jupyter_server)."""
    web_app.settings[_STATE] = {
        "config": config,
        "catalog": Catalog(config.options().aws, retries=config.retries,
                           **config.client_timeouts()),
        "cache": AnswerCache(config.cache_seconds),
        "aws": config.kernel_settings(),
        # boto3 blocks: threads keep the server's event loop free
        "executor": ThreadPoolExecutor(max_workers=MAX_WORKERS,
                                       thread_name_prefix="metricwidgets"),
    }
    base = url_path_join(web_app.settings["base_url"], NAMESPACE)
    web_app.add_handlers(".*$", [
        (url_path_join(base, "jobs"), ListHandler, {"method": "list_training_jobs"}),
        (url_path_join(base, "jobs", _NAME), DescribeHandler,
         {"method": "describe_training_job"}),
        (url_path_join(base, "tuning-jobs"), ListHandler, {"method": "list_tuning_jobs"}),
        (url_path_join(base, "tuning-jobs", _NAME), DescribeHandler,
         {"method": "describe_tuning_job"}),
    ])
