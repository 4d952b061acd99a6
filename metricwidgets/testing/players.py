"""The jobs a stand-in plays in background threads, and which play of a job is the current one.

moto's state lives as long as the process and is shared by every stand-in in it: re-running
notebook 03 in the same kernel starts another stand-in that plays the same job, which must
start from nothing rather than append a second run to the first. :func:`replace_play` stops
the earlier plays of a job (of any stand-in of this process) and remembers the new one.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

__all__ = ["JobPlayer", "playing", "replace_play"]


@dataclass
class JobPlayer:
    """A job being played in a background thread. :meth:`wait` for its end, :meth:`stop`
    to end it early (it then fails with ``Stopped``)."""

    name: str
    thread: threading.Thread | None = None
    stop_event: threading.Event = field(default_factory=threading.Event)
    lines_written: int = 0
    error: BaseException | None = None

    def wait(self, timeout: float | None = None) -> bool:
        if self.thread is not None:
            self.thread.join(timeout)
            return not self.thread.is_alive()
        return True

    def stop(self) -> None:
        self.stop_event.set()
        self.wait(10)

    @property
    def done(self) -> bool:
        return self.thread is None or not self.thread.is_alive()


#: (region, job) -> the player playing it now, from any stand-in of this process.
_PLAYING: dict[tuple[str, str], JobPlayer] = {}
_LOCK = threading.Lock()


def replace_play(region: str, name: str, player: JobPlayer) -> JobPlayer:
    """Stop the earlier play of job ``name`` in ``region`` (if any) and make ``player`` the
    current one; return ``player``."""
    with _LOCK:
        earlier = _PLAYING.pop((region, name), None)
        _PLAYING[(region, name)] = player
    if earlier is not None:
        earlier.stop()
    return player


def playing(region: str, name: str) -> JobPlayer | None:
    """The current play of job ``name`` in ``region`` while it runs, else None."""
    with _LOCK:
        player = _PLAYING.get((region, name))
    return None if player is None or player.done else player
