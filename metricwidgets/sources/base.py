"""What every source hands the poller: log text, ready points, and the job's status.

A source fetches what is new since its cursor each time :meth:`Source.poll` is called and
never re-reads old data. It does no parsing (the watcher owns the parsers, so definitions
can change while the job runs) and imports no widget code.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from metricwidgets.core.parsing import MetricDefinition

__all__ = ["LogBatch", "PointBatch", "JobStatus", "SourceUpdate", "Source", "TERMINAL_STATUSES"]

#: Statuses after which a job writes nothing more (local runs use the same words).
TERMINAL_STATUSES = frozenset({"Completed", "Failed", "Stopped"})


@dataclass
class LogBatch:
    """New log text from one host.

    Exactly one of two shapes:

    - ``lines`` (+ ``timestamps``, seconds since the epoch, one per line): complete lines
      as CloudWatch Logs stores them, already escaped by SageMaker;
    - ``text``: a raw chunk (str or bytes) from a local process or file, which may end
      mid-line; it is escaped while parsed, and stamped with ``timestamp``.

    ``ends_stream`` (text only) says the text's origin ends after it (a rotated or truncated
    file): its unfinished last line is a line of its own, never joined to the next text.
    """

    host: str
    lines: list[str] | None = None
    timestamps: list[float] | None = None
    text: str | bytes | None = None
    timestamp: float | None = None
    ends_stream: bool = False


@dataclass
class PointBatch:
    """Points that arrive already numeric (CloudWatch metrics): one metric of one host."""

    metric: str
    host: str
    timestamps: np.ndarray
    values: np.ndarray


@dataclass
class JobStatus:
    """Where a job (or a local run) stands.

    Attributes
    ----------
    name : str
    status : str
        ``InProgress``, ``Completed``, ``Failed``, ``Stopping``, ``Stopped`` (SageMaker's
        words; a local run uses them too), or ``NotFound`` / ``Unknown``.
    secondary_status, message : str
        SageMaker's secondary status and the message of its latest transition.
    transitions : list of dict
        ``SecondaryStatusTransitions`` as SageMaker gives them.
    final_metrics : dict of str to float
        ``FinalMetricDataList`` by metric name (float32-rounded, as SageMaker reports).
    definitions : list of MetricDefinition
        The job's own metric definitions.
    start_time, end_time : float or None
        Seconds since the epoch.
    billable_seconds : int or None
    failure_reason : str or None
    exit_code : int or None
        Local runs only.
    last_lines : list of str
        Local runs: the last lines of output (shown when the run fails).
    extra : dict
        Anything else a source wants to show (tuning objective, best job, ...).
    """

    name: str
    status: str = "Unknown"
    secondary_status: str = ""
    message: str = ""
    transitions: list[dict] = field(default_factory=list)
    final_metrics: dict[str, float] = field(default_factory=dict)
    definitions: list[MetricDefinition] = field(default_factory=list)
    start_time: float | None = None
    end_time: float | None = None
    billable_seconds: int | None = None
    failure_reason: str | None = None
    exit_code: int | None = None
    last_lines: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def terminal(self) -> bool:
        """True once the job can write nothing more."""
        return self.status in TERMINAL_STATUSES


@dataclass
class SourceUpdate:
    """One poll's harvest.

    Attributes
    ----------
    logs : list of LogBatch
    points : list of PointBatch
    status : JobStatus or None
        None when this poll did not look at the status (it is rate-limited).
    """

    logs: list[LogBatch] = field(default_factory=list)
    points: list[PointBatch] = field(default_factory=list)
    status: JobStatus | None = None

    @property
    def empty(self) -> bool:
        """True when nothing new came (an idle poll)."""
        return not any(b.lines or b.text or b.ends_stream for b in self.logs) and not any(
            len(p.values) for p in self.points)


class Source(abc.ABC):
    """Something that yields a job's metrics incrementally.

    Attributes
    ----------
    name : str
        The key the store files this source's series under (a job name, a command line).
    has_steps : bool
        False when its points carry no step of their own (CloudWatch's published metrics:
        the store numbers them by index), so a chart of them draws against time.
    values_are : str or None
        What its values are, in a header's words, when they are not values parsed from log
        text (``"CloudWatch averages (1 min)"``); None for parsed values.
    """

    name: str
    has_steps: bool = True
    values_are: str | None = None

    @abc.abstractmethod
    def poll(self) -> SourceUpdate:
        """Fetch what is new since the last poll. May raise; the poller reports and retries."""

    @property
    def finished(self) -> bool:
        """True when the source has delivered everything it ever will."""
        return False

    # Optional hooks: the watch calls them on every source; these defaults do nothing.
    def close(self) -> None:  # noqa: B027 - optional hook: most sources hold nothing
        """Release what the source holds (a process, a file handle). Idempotent."""

    def on_status(self, status: JobStatus) -> None:  # noqa: B027 - optional hook
        """Told each status of the job the watch sees (a source that reads a time window
        follows the job's start and end)."""

    def final_drain(self) -> None:  # noqa: B027 - optional hook
        """The job has ended: read once more, then finish (SageMaker flushes late events).
        Called each round after the end until :attr:`finished`."""

    def restarted(self) -> Source | None:
        """A new source reading the same data again from its start (definitions changed
        after the held text was let go), or None when the data cannot be read again."""
        return None
