"""What SageMaker's list and search calls share: statuses, page sizes and UTC times.

The server's catalogue (:mod:`~metricwidgets.sources.catalog`) and the job summary
(:mod:`~metricwidgets.sources.job_search`) both check a status and a page size the user gave
before calling, and both turn boto3's datetimes (naive or not) into UTC; one wording each.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from metricwidgets.errors import InputError

__all__ = ["MAX_PAGE_SIZE", "TRAINING_STATUSES", "iso_utc", "known_status", "page_size",
           "utc"]

#: SageMaker's training job statuses (``StatusEquals`` of ``ListTrainingJobs``).
TRAINING_STATUSES = ("InProgress", "Completed", "Failed", "Stopping", "Stopped")
#: ``MaxResults`` SageMaker's list and search calls accept at most.
MAX_PAGE_SIZE = 100


def known_status(value: str | None, allowed: tuple[str, ...] = TRAINING_STATUSES) -> str | None:
    """``value`` spelled as SageMaker spells it (any case accepted); None for no status.

    Raises
    ------
    InputError
        When ``value`` is none of ``allowed``.
    """
    if value is None or not str(value).strip():
        return None
    for status in allowed:
        if status.lower() == str(value).strip().lower():
            return status
    raise InputError(f"status: expected one of {', '.join(allowed)}, not {value!r}")


def page_size(value: Any, maximum: int = MAX_PAGE_SIZE) -> int:
    """``value`` as a page size of 1 to ``maximum`` items.

    Raises
    ------
    InputError
        When ``value`` is not a whole number in that range.
    """
    try:
        size = int(value)
    except (TypeError, ValueError):
        size = 0
    if not 1 <= size <= maximum or str(size) != str(value).strip():
        raise InputError(f"page size: expected a whole number in 1..{maximum}, not {value!r}")
    return size


def utc(value: Any) -> dt.datetime | None:
    """A boto3 datetime (naive ones are UTC) or epoch seconds as an aware UTC datetime."""
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        return dt.datetime.fromtimestamp(float(value), dt.timezone.utc)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc)


def iso_utc(value: Any) -> str | None:
    """:func:`utc` as an ISO-8601 string ending in ``Z`` (None stays None)."""
    moment = utc(value)
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")
