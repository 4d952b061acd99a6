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
``{"message": ..., "code": ...}`` with 400 (bad filter), 401 (credentials), 403
(permission), 404 (unknown job), 429 (throttled) or 502 (AWS unreachable).
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
from metricwidgets.sources.catalog import Catalog

__all__ = ["NAMESPACE", "setup_routes"]

#: The URL namespace of every endpoint, under the server's base URL.
NAMESPACE = "metricwidgets"
_NAME = r"(?P<name>[^/]+)"
_STATE = "metricwidgets"


class CatalogHandler(APIHandler):
    """Base of every endpoint: answers JSON, and owns the translation of failures."""

    @property
    def _state(self) -> dict:
        return self.settings[_STATE]

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
        """Call ``Catalog.<method>(**kwargs)`` (cached) and finish with its JSON or an error."""
        state = self._state
        key = (method, tuple(sorted(kwargs.items())))
        call = functools.partial(getattr(state["catalog"], method), **kwargs)

        def compute():
            return asyncio.get_running_loop().run_in_executor(state["executor"], call)

        try:
            result = await state["cache"].get(key, compute)
        except AWSError as error:
            if error.code == "throttled":
                self.set_header("Retry-After", "2")
            return self._fail(error.http_status, str(error), error.code)
        except InputError as error:
            return self._fail(400, str(error), "input")
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(result))

    def _fail(self, status: int, message: str, code: str) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"message": message, "code": code}))


class ListHandler(CatalogHandler):
    """``GET jobs`` and ``GET tuning-jobs``: one page, filtered by ``name`` and ``status``."""

    def initialize(self, method: str) -> None:
        self.method = method

    @tornado.web.authenticated
    async def get(self):
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
        await self.answer(self.method, name=name)


def setup_routes(web_app, config: MetricWidgets) -> None:
    """Register the endpoints on ``web_app`` (a tornado Application of jupyter_server)."""
    web_app.settings[_STATE] = {
        "config": config,
        "catalog": Catalog(config.aws_options(), retries=config.retries),
        "cache": AnswerCache(config.cache_seconds),
        # boto3 blocks: a few threads keep the server's event loop free
        "executor": ThreadPoolExecutor(max_workers=4, thread_name_prefix="metricwidgets"),
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
