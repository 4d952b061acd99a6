"""The former home of the watch; it now lives in :mod:`metricwidgets.polling`.

Kept so that code written against ``metricwidgets.watch`` still imports: ``Watch``,
``WatchMessage``, ``Poller`` (now :class:`~metricwidgets.polling.scheduler.Scheduler`),
``merge_definitions`` and ``HOLD_LIMIT``. New code imports from :mod:`metricwidgets.polling`.
"""

from __future__ import annotations

from metricwidgets.polling import (
    HOLD_LIMIT,
    Scheduler,
    Watch,
    WatchMessage,
    merge_definitions,
)

#: The former name of :class:`~metricwidgets.polling.scheduler.Scheduler`.
Poller = Scheduler

__all__ = ["HOLD_LIMIT", "Poller", "Watch", "WatchMessage", "merge_definitions"]
