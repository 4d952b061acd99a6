"""A growing log file, followed like ``tail -F``: through truncation and rotation, losing nothing.

- A file that does not exist yet is "not started", not an error.
- Rotation (the path now names another file, as ``logrotate`` or ``mv log log.1`` do): the
  old file stays open and is read to its end, however much of it is unread and over as many
  polls as that takes (Fluent Bit's and ``tail -F``'s semantics); only then is the new file
  followed from its start.
- Truncation: the size fell below what was read, or the file was truncated and grew again
  between two polls (its first bytes, or the bytes just before the read position, are no
  longer the ones read). Reading starts again at the beginning.
- At each of these boundaries the batch is marked ``ends_stream``: the parser ends the old
  file's unfinished last line there, so a line is never joined across two files.
- Only regular files and named pipes are followed. A named pipe (``mkfifo``) is a legitimate
  stream (``train.py > pipe``): it is read without blocking and never rotates. Anything else
  (``/dev/zero``, a directory, a socket) is refused with one line: a device has no end and
  no size, so following it would only grow memory.
"""

from __future__ import annotations

import errno
import os
import stat
import time

from metricwidgets.errors import InputError
from metricwidgets.sources.base import JobStatus, LogBatch, Source, SourceUpdate

__all__ = ["LocalFileSource", "check_followable"]

#: Most bytes read in one poll, so a huge existing file arrives over several polls.
_MAX_READ = 8 * 1024 * 1024
#: Bytes compared at the head of the file and just before the read position to notice a
#: truncate-and-regrow that happened between two polls (the size alone cannot show it).
_FINGERPRINT = 256

_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def _refusal(path: str, mode: int) -> InputError | None:
    if stat.S_ISREG(mode) or stat.S_ISFIFO(mode):
        return None
    kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    return InputError(f"cannot follow {path!r}: it is {kind}, not a log file "
                      "(only regular files and named pipes can be followed)")


def check_followable(path) -> None:
    """Raise :class:`~metricwidgets.errors.InputError` when ``path`` exists but is neither a
    regular file nor a named pipe. A path that does not exist yet passes (it may appear)."""
    path = os.fspath(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    error = _refusal(path, mode)
    if error is not None:
        raise error


def _identity(st: os.stat_result) -> tuple[int, int]:
    return st.st_dev, st.st_ino


class LocalFileSource(Source):
    """New bytes of the file at ``path`` since the last poll.

    Parameters
    ----------
    path : str or os.PathLike
        A regular file or a named pipe (anything else raises
        :class:`~metricwidgets.errors.InputError`, now or when it appears).
    name : str, optional
        The key in the store (default: the path).
    host : str
        The host the text is filed under.

    Attributes
    ----------
    position : int
        Bytes of the current file read so far.
    rotations, truncations : int
        How often each was seen.

    The text is handed out as bytes; the parser decodes it (a read may end mid-character).
    A batch marked ``ends_stream`` is the last one of a file (rotated or truncated). A file
    source never finishes by itself: a file can always grow. Close it.
    """

    def __init__(self, path, name: str | None = None, host: str = "local"):
        self.path = os.fspath(path)
        check_followable(self.path)
        self.name = name or self.path
        self.host = host
        self._fd: int | None = None
        self._identity = None
        self._fifo = False
        self._head = b""
        self._last = b""
        self.position = 0
        self.rotations = 0
        self.truncations = 0
        self._closed = False

    # -- opening and reading -------------------------------------------------------------

    def _open(self) -> bool:
        try:
            mode = os.stat(self.path).st_mode
            # A pipe is opened without blocking: with no writer yet, a blocking open would
            # hang the poller's thread.
            flags = os.O_RDONLY | (os.O_NONBLOCK if stat.S_ISFIFO(mode) else 0)
            fd = os.open(self.path, flags)
        except FileNotFoundError:
            return False
        st = os.fstat(fd)
        error = _refusal(self.path, st.st_mode)
        if error is not None:
            os.close(fd)
            raise error
        self._fd, self._identity = fd, _identity(st)
        self._fifo = stat.S_ISFIFO(st.st_mode)
        self._restart()
        return True

    def _restart(self) -> None:
        self.position = 0
        self._head = self._last = b""

    def _read(self, limit: int) -> bytes:
        """Up to ``limit`` bytes from the read position of the current file."""
        if limit <= 0:
            return b""
        if self._fifo:
            return self._read_pipe(limit)
        data = os.pread(self._fd, limit, self.position)
        self.position += len(data)
        if len(self._head) < _FINGERPRINT:
            self._head = os.pread(self._fd, _FINGERPRINT, 0)[:self.position]
        self._last = (self._last + data)[-_FINGERPRINT:]
        return data

    def _read_pipe(self, limit: int) -> bytes:
        parts, size = [], 0
        while size < limit:
            try:
                part = os.read(self._fd, min(limit - size, 1 << 20))
            except BlockingIOError:
                break
            except OSError as exc:  # pragma: no cover - EAGAIN spelled differently
                if exc.errno == errno.EAGAIN:
                    break
                raise
            if not part:  # no writer at the moment: a later one may come
                break
            parts.append(part)
            size += len(part)
        self.position += size
        return b"".join(parts)

    # -- what happened to the file -------------------------------------------------------

    def _rewritten(self) -> bool:
        """True when the followed file was truncated (and maybe grew again) since the last
        read: smaller than the position, or its head or the bytes before the position
        changed."""
        if self.position == 0:
            return False
        if os.fstat(self._fd).st_size < self.position:
            return True
        head_now = os.pread(self._fd, len(self._head), 0)
        last_now = os.pread(self._fd, len(self._last), self.position - len(self._last))
        return head_now != self._head or last_now != self._last

    def _replaced(self) -> bool:
        """True when the path now names another file than the one open (rotation)."""
        try:
            return _identity(os.stat(self.path)) != self._identity
        except FileNotFoundError:
            return False  # moved away, the new one not there yet: keep the old

    # -- polling -------------------------------------------------------------------------

    def _batch(self, data: bytes, ends: bool = False) -> LogBatch:
        return LogBatch(host=self.host, text=data, timestamp=time.time(), ends_stream=ends)

    def _update(self, batches, state: str, message: str = "") -> SourceUpdate:
        update = SourceUpdate(status=JobStatus(self.name, "InProgress", state, message=message))
        update.logs.extend(b for b in batches if b.text or b.ends_stream)
        return update

    def poll(self) -> SourceUpdate:
        """Read what was appended (following truncation and rotation)."""
        if self._closed:
            return SourceUpdate()
        if self._fd is None and not self._open():
            return self._update([], "Waiting", "the file does not exist yet")
        if self._fifo:
            return self._update([self._batch(self._read(_MAX_READ))], "Following")
        batches = []
        if self._rewritten():
            self.truncations += 1
            batches.append(self._batch(b"", ends=True))
            self._restart()
        data = self._read(_MAX_READ)
        if len(data) == _MAX_READ or not self._replaced():
            batches.append(self._batch(data))
            return self._update(batches, "Following")
        # Rotated and the old file read to its end: take what its writer added meanwhile,
        # then end it and start the new one (unless the old one still has more).
        data += self._read(_MAX_READ - len(data))
        if len(data) == _MAX_READ:
            batches.append(self._batch(data))
            return self._update(batches, "Following")
        batches.append(self._batch(data, ends=True))
        os.close(self._fd)
        self._fd = None
        self.rotations += 1
        if not self._open():
            return self._update(batches, "Waiting", "the file does not exist yet")
        batches.append(self._batch(self._read(_MAX_READ - len(data))))
        return self._update(batches, "Following")

    def restarted(self) -> LocalFileSource | None:
        """A new source reading this file again from its start, or None when the text read
        so far is no longer all in the file (rotated or truncated away, or a pipe)."""
        if self._closed or self._fifo or self.rotations or self.truncations:
            return None
        return LocalFileSource(self.path, self.name, self.host)

    def close(self) -> None:
        self._closed = True
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
