"""Applying changed definitions to one watched job, whether or not its text is still held.

While the session holds the text, the held text is parsed again
(:meth:`~metricwidgets.polling.session.ParsingSession.reparse`). Past the hold, the job's
source is asked for a fresh copy that reads from the start (``restarted()``: a local file
read again, CloudWatch Logs read again from each stream's head); its text is parsed as it
arrives, the fresh source then replaces the old one and goes on from where it got to. A
source that cannot read its past again (a process's output, a rotated file) keeps its line
numbering going and the watch says what the new definitions miss.

:class:`PendingDefinitions` carries a change from the thread that asked for it (a widget
callback on the kernel's main thread) to the scheduler's thread, which applies it: parsing a
big job's text again must not freeze the kernel.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

from metricwidgets.polling.session import ParsingSession
from metricwidgets.polling.watched_job import WatchedJob
from metricwidgets.sources.base import LogBatch, Source

__all__ = ["PendingDefinitions", "apply_definitions", "read_all"]

#: Most polls of a restarted source while reading it again (8 MB each for a file).
MAX_POLLS = 100_000


def read_all(source: Source) -> Iterator[LogBatch]:
    """Every log batch ``source`` delivers until a poll brings no more text."""
    for _ in range(MAX_POLLS):
        batches = [b for b in source.poll().logs if b.lines or b.text or b.ends_stream]
        if not batches:
            return
        yield from batches


def apply_definitions(session: ParsingSession, job: WatchedJob, definitions) -> str | None:
    """Make ``session`` parse ``job`` with ``definitions`` over its whole history when it can.

    Returns a warning for the watch's messages when part of the history could not be parsed
    again, else None. Called with the watch's poll lock held (no poll runs meanwhile).
    """
    if session.holding or not session.changed(job.name, definitions):
        session.reparse(job.name, definitions)
        return None
    fresh = job.data.restarted()
    lost = (f"{job.name}: its output is too large to keep and cannot be read again; changed "
            "definitions apply to new lines only (earlier lines are not parsed with them)")
    if fresh is None:
        session.reparse(job.name, definitions)
        return lost
    try:
        session.replay(job.name, definitions, read_all(fresh))
    except Exception as exc:  # noqa: BLE001 a failed re-read must not stop the watch
        fresh.close()
        session.reparse(job.name, definitions)
        return f"{lost}: reading it again failed ({exc})"
    job.data.close()
    job.data = fresh
    return None


class PendingDefinitions:
    """The user's latest definitions, asked for from any thread, until they are applied.

    Requests that arrive before the first is applied merge into one (the latest wins): a
    user typing three definitions costs one re-parse, not three.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._definitions: list | None = None
        self._done: list[threading.Event] = []

    def put(self, definitions: list) -> threading.Event:
        """Ask for ``definitions``; the event returned is set once they are applied."""
        done = threading.Event()
        with self._lock:
            self._definitions = list(definitions)
            self._done.append(done)
        return done

    def apply(self, use: Callable[[list], None], report: Callable[[str, str], None]) -> bool:
        """Call ``use(definitions)`` with the latest asked for, if any, then set the events
        of every request taken; True when one was pending. A bug in ``use`` becomes an
        error through ``report(level, text)`` (on the scheduler's thread nobody would see
        an exception)."""
        with self._lock:
            definitions, done = self._definitions, self._done
            self._definitions, self._done = None, []
        try:
            if done:
                use(definitions)
        except Exception as exc:  # noqa: BLE001
            report("error", f"internal error while applying definitions: "
                            f"{type(exc).__name__}: {exc}")
        finally:
            for event in done:
                event.set()
        return bool(done)
