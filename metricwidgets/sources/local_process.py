"""A local training command run as a subprocess: SageMaker local mode's equivalent.

stdout and stderr are read by two daemon threads (so neither pipe can fill up and block the
child), merged line by line the way a SageMaker instance's log merges them, and handed out
as raw text: SageMaker's escaping is applied by the parser, not here. The child runs in its
own session (process group) so that :meth:`LocalProcessSource.close` kills it *and* whatever
it started; an ``atexit`` hook does the same when the kernel exits, so no orphan outlives
the notebook.
"""

from __future__ import annotations

import atexit
import codecs
import collections
import itertools
import os
import shlex
import signal
import subprocess
import threading
import time
import weakref
from typing import Sequence

from metricwidgets.errors import InputError
from metricwidgets.sources.base import JobStatus, LogBatch, Source, SourceUpdate

__all__ = ["LocalProcessSource", "LOCAL_HOST", "stop_all", "split_command"]

#: The host name local output is filed under.
LOCAL_HOST = "local"
#: Lines of output kept per pipe for the status (shown when the run fails). Per pipe, so
#: that a chatty stdout cannot push stderr's traceback out.
_LAST_LINES = 20
_LIVE: "weakref.WeakSet[LocalProcessSource]" = weakref.WeakSet()


def split_command(command: str) -> list[str]:
    """Split a command line as a shell would (no shell runs); InputError when it cannot."""
    try:
        return shlex.split(command)
    except ValueError as exc:
        raise InputError(f"cannot split the command {command!r}: {str(exc).lower()}") from None


class LocalProcessSource(Source):
    """Run ``argv`` and deliver its output as it comes.

    Parameters
    ----------
    argv : sequence of str, or str
        The command. A string is split with :func:`shlex.split` (no shell).
    cwd, env : optional
        As for :class:`subprocess.Popen`; ``env`` is added to the current environment.
    name : str, optional
        The key of the run in the store (default: the command line).

    Thread-safety: :meth:`poll` and :meth:`close` may be called from different threads.

    Raises
    ------
    InputError
        When the command cannot be started (not found, not executable).
    """

    def __init__(self, argv: Sequence[str] | str, cwd=None, env=None, name: str | None = None):
        if isinstance(argv, str):
            argv = split_command(argv)
        self.argv = [str(a) for a in argv]
        if not self.argv:
            raise InputError("no command given")
        self.name = name or " ".join(shlex.quote(a) for a in self.argv)
        full_env = dict(os.environ)
        # Children buffer stdout when it is a pipe; ask Python ones not to, so lines arrive live.
        full_env.setdefault("PYTHONUNBUFFERED", "1")
        full_env.update(env or {})
        self.start_time = time.time()
        try:
            self.process = subprocess.Popen(
                self.argv, cwd=cwd, env=full_env, stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        except OSError as exc:
            raise InputError(f"cannot run {self.name!r}: {exc.strerror or exc}") from None
        self._lock = threading.Lock()
        self._pending: list[tuple[str, float]] = []
        self._last = {1: collections.deque(maxlen=_LAST_LINES),
                      2: collections.deque(maxlen=_LAST_LINES)}
        self._sequence = itertools.count()
        self._closed = False
        self._killed = False
        self._delivered_end = False
        self.end_time: float | None = None
        self._readers = [threading.Thread(target=self._read, args=(pipe, last), daemon=True,
                                          name=f"metricwidgets-read-{self.process.pid}")
                         for pipe, last in ((self.process.stdout, self._last[1]),
                                            (self.process.stderr, self._last[2]))]
        for reader in self._readers:
            reader.start()
        _LIVE.add(self)

    def _read(self, pipe, last: collections.deque) -> None:
        # Complete lines only: stdout and stderr then interleave line by line, never mid-line.
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        tail = ""
        fd = pipe.fileno()
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            text = decoder.decode(chunk, final=not chunk)
            data = tail + text
            if chunk:
                cut = data.rfind("\n") + 1
                tail, data = data[cut:], data[:cut]
            else:
                tail = ""
                if data and not data.endswith("\n"):
                    data += "\n"
            if data:
                now = time.time()
                with self._lock:
                    self._pending.append((data, now))
                    last.extend((next(self._sequence), line)
                                for line in data.splitlines()[-_LAST_LINES:])
            if not chunk:
                pipe.close()
                return

    @property
    def returncode(self) -> int | None:
        return self.process.poll()

    @property
    def finished(self) -> bool:
        return self._delivered_end

    def _output_done(self) -> bool:
        return self.process.poll() is not None and not any(r.is_alive() for r in self._readers)

    def status(self) -> JobStatus:
        """Where the run stands: InProgress, Completed (exit 0), Failed or Stopped."""
        code = self.process.poll()
        with self._lock:
            last = [line for _, line in sorted(list(self._last[1]) + list(self._last[2]))]
        status = JobStatus(self.name, status="InProgress", secondary_status="Running",
                           start_time=self.start_time, last_lines=last)
        if code is None:
            return status
        if self.end_time is None:
            self.end_time = time.time()
        status.end_time = self.end_time
        status.exit_code = code
        if self._killed:
            status.status, status.secondary_status = "Stopped", "Stopped"
            status.message = "stopped by the watcher"
        elif code == 0:
            status.status, status.secondary_status = "Completed", "Completed"
            status.message = "exited with code 0"
        else:
            status.status, status.secondary_status = "Failed", "Failed"
            if code < 0:
                try:
                    signame = signal.Signals(-code).name
                except ValueError:
                    signame = f"signal {-code}"
                status.failure_reason = f"killed by {signame}"
            else:
                status.failure_reason = f"exited with code {code}"
            status.message = status.failure_reason
        return status

    def poll(self) -> SourceUpdate:
        """Hand out the output read since the last poll, and the status."""
        done = self._output_done()
        with self._lock:
            pending, self._pending = self._pending, []
        update = SourceUpdate(status=self.status())
        # One batch per read, so each line keeps the time it was read at.
        update.logs.extend(LogBatch(host=LOCAL_HOST, text=text, timestamp=stamp)
                           for text, stamp in pending)
        if done:
            self._delivered_end = True
        return update

    def wait(self, timeout: float | None = None) -> int | None:
        """Wait for the process to exit; return its exit code (None on timeout)."""
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def close(self, grace: float = 2.0) -> None:
        """Kill the process group (SIGTERM, then SIGKILL after ``grace`` s). Idempotent."""
        if self._closed:
            return
        self._closed = True
        _LIVE.discard(self)
        if self.process.poll() is None:
            self._killed = True
            _kill_group(self.process, grace)
        else:
            # The leader exited; children it left in its group are ours to end too.
            _signal_group(self.process.pid, signal.SIGKILL)
        for reader in self._readers:
            reader.join(timeout=1.0)


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _kill_group(process: subprocess.Popen, grace: float) -> None:
    _signal_group(process.pid, signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        pass
    _signal_group(process.pid, signal.SIGKILL)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        pass


def stop_all(grace: float = 0.5) -> int:
    """Kill every command still running (a door calls this when the kernel is
    interrupted); return how many there were."""
    sources = list(_LIVE)
    for source in sources:
        source.close(grace=grace)
    return len(sources)


atexit.register(stop_all)
