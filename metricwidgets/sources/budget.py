"""A process-wide call budget per AWS API, shared by every watch in the kernel.

CloudWatch Logs allows an account about 10 ``GetLogEvents`` and 5 ``DescribeLogStreams``
calls a second per region. A notebook watching the 100 children of a tuning job would blow
through that in a moment if every watch polled on its own, and the throttling that follows
would slow the user's other tools too. So every client this package makes passes each HTTP
attempt (botocore's retries included) through one :class:`CallBudget` first; a call over
budget waits on the calling thread (always the poller's, never the kernel's main thread).

The budget is a sliding one-second window per ``(service, operation)``: at most ``rate``
attempts in any window of ``per`` seconds. A token bucket with a burst would allow up to
``burst + rate`` calls in some window; the window makes the guarantee exact, which is what
AWS's quota is written as and what the scale test checks. The window is ``margin`` seconds
longer than ``per``, because AWS counts calls when they arrive, and two calls let through
exactly ``per`` apart can arrive closer after the network's jitter.
"""

from __future__ import annotations

import collections
import threading
import time
from typing import Callable

__all__ = ["DEFAULT_RATES", "CallBudget", "default_budget", "budgeted_client", "LazyClient"]

#: Calls per second by (service endpoint prefix, operation). Kept under the documented
#: quotas (docs/sagemaker.md, "API limits and quotas") so that other tools of the same account
#: still get through.
DEFAULT_RATES: dict[tuple[str, str], float] = {
    ("logs", "GetLogEvents"): 10,
    ("logs", "DescribeLogStreams"): 5,
    ("logs", "FilterLogEvents"): 5,
    # No published rate found for these; a query takes seconds, so a few a second is plenty.
    ("logs", "StartQuery"): 5,
    ("logs", "GetQueryResults"): 5,
    ("monitoring", "GetMetricData"): 50,
    ("monitoring", "GetMetricStatistics"): 50,
    ("monitoring", "ListMetrics"): 25,
    ("sagemaker", "DescribeTrainingJob"): 10,
    ("sagemaker", "DescribeHyperParameterTuningJob"): 5,
    ("sagemaker", "ListTrainingJobsForHyperParameterTuningJob"): 2,
    ("sagemaker", "ListTrainingJobs"): 2,
    ("sagemaker", "Search"): 5,
}


class CallBudget:
    """At most ``rate`` calls per ``per`` seconds for each ``(service, operation)``.

    Parameters
    ----------
    rates : dict, optional
        ``(service, operation) -> calls per second``; operations not listed are unlimited.
    per : float
        The window in seconds.
    margin : float
        Seconds added to the window for the network's jitter.

    Thread-safe: any number of threads may :meth:`acquire` at once.
    """

    def __init__(self, rates: dict[tuple[str, str], float] | None = None, per: float = 1.0,
                 margin: float = 0.05, clock: Callable[[], float] = time.monotonic):
        self.rates = dict(DEFAULT_RATES if rates is None else rates)
        self.per = per
        self.margin = margin
        self._clock = clock
        self._calls: dict[tuple[str, str], collections.deque] = {}
        self._lock = threading.Lock()
        #: Seconds spent waiting for budget, by key (what the benchmark and tests report).
        self.waited: dict[tuple[str, str], float] = collections.defaultdict(float)

    def acquire(self, service: str, operation: str, timeout: float | None = None) -> bool:
        """Wait until a call to ``service.operation`` fits in the budget, and count it.

        Returns False when ``timeout`` (seconds) passed first (the call is then not counted).
        """
        key = (service, operation)
        deadline = None if timeout is None else self._clock() + timeout
        started = self._clock()
        while True:
            with self._lock:
                rate = self.rates.get(key)
                if rate is None:
                    return True
                limit = max(1, int(rate * self.per))
                now = self._clock()
                window = self.per + self.margin
                calls = self._calls.setdefault(key, collections.deque())
                while calls and calls[0] <= now - window:
                    calls.popleft()
                if len(calls) < limit:
                    calls.append(now)
                    if now > started:
                        self.waited[key] += now - started
                    return True
                wait = calls[0] + window - now
            if deadline is not None and self._clock() + wait > deadline:
                return False
            time.sleep(max(wait, 0.001))


_DEFAULT = CallBudget()


def default_budget() -> CallBudget:
    """The budget every watch of this process shares."""
    return _DEFAULT


def budgeted_client(service: str, options, budget: CallBudget | None = None, **config):
    """Return :func:`metricwidgets.sources.aws.make_client`'s client, every HTTP attempt of
    which first waits for ``budget`` (the process-wide one by default)."""
    from metricwidgets.sources.aws import make_client

    budget = _DEFAULT if budget is None else budget
    client = make_client(service, options, **config)
    # The endpoint prefix names the service in DEFAULT_RATES ("logs", "monitoring"), except
    # that SageMaker's is "api.sagemaker": without the "api." no SageMaker rate would apply.
    prefix = client.meta.service_model.endpoint_prefix.removeprefix("api.")

    def _wait_for_budget(event_name: str = "", **_):
        # event_name is "before-send.<service-id>.<Operation>"; each retry sends again,
        # so retries are budgeted too.
        budget.acquire(prefix, event_name.rsplit(".", 1)[-1])

    client.meta.events.register("before-send", _wait_for_budget)
    return client


class LazyClient:
    """A class attribute (``client = LazyClient("logs")``) giving each instance a budgeted
    client of ``service``, made on first use from the instance's ``options``.

    A non-data descriptor, like :func:`functools.cached_property`: the client made is kept
    in the instance's ``__dict__`` under the attribute's name, and an instance given a ready
    client simply assigns it (``self.client = client``), which hides the descriptor.
    """

    def __init__(self, service: str):
        self.service = service
        self.name = "client"

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        client = budgeted_client(self.service, obj.options)
        obj.__dict__[self.name] = client
        return client
