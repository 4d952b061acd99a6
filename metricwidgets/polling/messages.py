"""What a watch tells its user: one-line messages, newest last, without floods."""

from __future__ import annotations

import collections
import threading
import time
from dataclasses import dataclass

__all__ = ["MessageLog", "WatchMessage"]


@dataclass(frozen=True)
class WatchMessage:
    """Something a user should know about a watch.

    Attributes
    ----------
    level : str
        ``info``, ``warning`` or ``error``.
    text : str
        One line: what happened and what the watch is doing about it.
    time : float
        Seconds since the epoch.
    """

    level: str
    text: str
    time: float


class MessageLog:
    """The latest ``maxlen`` messages; the same text twice in a row is kept once (with the
    newer time), so a retry every few seconds does not flood the list.

    Attributes
    ----------
    entries : collections.deque of WatchMessage
        Newest last.
    count : int
        Messages ever added (a changed count is news for the listeners).
    """

    def __init__(self, maxlen: int = 200):
        self.entries: collections.deque[WatchMessage] = collections.deque(maxlen=maxlen)
        self.count = 0
        self._lock = threading.Lock()

    def add(self, level: str, text: str) -> None:
        with self._lock:
            last = self.entries[-1] if self.entries else None
            if last is not None and last.text == text:
                self.entries.pop()  # the same news again: refresh its time, do not flood
            self.entries.append(WatchMessage(level, text, time.time()))
            self.count += 1
