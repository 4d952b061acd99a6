"""Polling: how a watched job's data gets from its sources into its store, off the main thread.

One module per job:

- :mod:`~metricwidgets.polling.scheduler`: :class:`Scheduler`, the one thread that polls
  everything :class:`Schedulable` (next due time, poll once, close) when it is due;
- :mod:`~metricwidgets.polling.watch`: :class:`Watch`, one watched thing (a job, a tuning job,
  a command, a file): its sources, its store, its messages; a Schedulable;
- :mod:`~metricwidgets.polling.session`: :class:`ParsingSession`, the parsers per source and
  host, the text held for re-parsing;
- :mod:`~metricwidgets.polling.backoff`: :class:`BackoffPolicy` (adaptive interval, backoff
  with jitter) and :func:`classify_error` (what an error means for the watch);
- :mod:`~metricwidgets.polling.definition_layers`: the layers of definitions and their merge;
- :mod:`~metricwidgets.polling.auto_definitions`: definitions suggested from the output;
- :mod:`~metricwidgets.polling.tuning`: a tuning job's children as watched jobs;
- :mod:`~metricwidgets.polling.watched_job`: :class:`WatchedJob`, one job inside a watch;
- :mod:`~metricwidgets.polling.messages`: :class:`WatchMessage`, what the user is told.

Which sources watch a SageMaker job is decided by :mod:`metricwidgets.sources.factory`
(register a new kind of data source there). Something polled that is not a watch (a
sampler) implements :class:`Schedulable` and is added to :meth:`Scheduler.default`.
"""

from __future__ import annotations

from metricwidgets.polling.definition_layers import merge_definitions
from metricwidgets.polling.messages import WatchMessage
from metricwidgets.polling.scheduler import Schedulable, Scheduler
from metricwidgets.polling.session import HOLD_LIMIT, ParsingSession
from metricwidgets.polling.watch import Watch
from metricwidgets.polling.watched_job import WatchedJob

__all__ = [
           "HOLD_LIMIT",
           "ParsingSession",
           "Schedulable",
           "Scheduler",
           "Watch",
           "WatchMessage",
           "WatchedJob",
           "merge_definitions",
]
