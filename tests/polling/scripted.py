"""A scripted source for the polling tests: hands out what a test queues, fails on demand."""

from __future__ import annotations

import threading
import time

from metricwidgets.sources.base import JobStatus, LogBatch, Source, SourceUpdate


class ScriptedSource(Source):
    """A source that hands out what a test queues, and may fail on demand."""

    def __init__(self, name="scripted"):
        self.name = name
        self.queue: list[SourceUpdate] = []
        self.failures: list[BaseException] = []
        self.polls: list[float] = []
        self.done = False
        self.closed = False
        self.gate: threading.Event | None = None  # when set: each poll waits for it to open
        self._lock = threading.Lock()

    def push_lines(self, host, lines):
        with self._lock:
            self.queue.append(SourceUpdate(logs=[LogBatch(host, lines=list(lines),
                                                          timestamps=[1.0] * len(lines))]))

    def poll(self):
        self.polls.append(time.monotonic())
        if self.gate is not None:
            self.gate.wait(10)
        with self._lock:
            if self.failures:
                raise self.failures.pop(0)
            if self.queue:
                return self.queue.pop(0)
        status = JobStatus(self.name, "Completed" if self.done else "InProgress")
        return SourceUpdate(status=status)

    @property
    def finished(self):
        return self.done

    def close(self):
        self.closed = True
