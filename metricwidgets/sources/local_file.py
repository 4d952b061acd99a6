"""A growing log file, followed like ``tail -F``: through truncation and rotation.

- A file that does not exist yet is "not started", not an error.
- Truncation (the size falls below what was read): reading starts again at the beginning.
- Rotation (the path now names another inode, as ``logrotate`` or ``mv log log.1`` do): the
  rest of the old file is read first, then the new one from its start.
"""

from __future__ import annotations

import os
import time

from metricwidgets.sources.base import JobStatus, LogBatch, Source, SourceUpdate

__all__ = ["LocalFileSource"]

#: Most bytes read in one poll, so a huge existing file arrives over several polls.
_MAX_READ = 8 * 1024 * 1024


class LocalFileSource(Source):
    """New bytes of the file at ``path`` since the last poll.

    Parameters
    ----------
    path : str or os.PathLike
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
    A file source never finishes by itself: a file can always grow. Close it.
    """

    def __init__(self, path, name: str | None = None, host: str = "local"):
        self.path = os.fspath(path)
        self.name = name or self.path
        self.host = host
        self._handle = None
        self._inode = None
        self.position = 0
        self.rotations = 0
        self.truncations = 0
        self._closed = False

    def _open(self) -> bool:
        try:
            handle = open(self.path, "rb")
        except FileNotFoundError:
            return False
        self._handle = handle
        self._inode = os.fstat(handle.fileno()).st_ino
        self.position = 0
        return True

    def _read_all(self, limit: int) -> bytes:
        self._handle.seek(self.position)
        data = self._handle.read(limit)
        self.position += len(data)
        return data

    def _update(self, chunks, state: str, message: str = "") -> SourceUpdate:
        data = b"".join(chunks)
        update = SourceUpdate(status=JobStatus(self.name, "InProgress", state, message=message))
        if data:
            update.logs.append(LogBatch(host=self.host, text=data, timestamp=time.time()))
        return update

    def poll(self) -> SourceUpdate:
        """Read what was appended (handling truncation and rotation)."""
        if self._closed:
            return SourceUpdate()
        if self._handle is None and not self._open():
            return self._update([], "Waiting", "the file does not exist yet")
        chunks = []
        try:
            inode = os.stat(self.path).st_ino
        except FileNotFoundError:
            inode = self._inode  # moved away, the new one not there yet: keep the old
        if inode != self._inode:
            # Rotated: finish the old file, then follow the new one.
            chunks.append(self._read_all(_MAX_READ))
            self._handle.close()
            self._handle = None
            self.rotations += 1
            if not self._open():
                return self._update(chunks, "Waiting", "the file does not exist yet")
        if os.fstat(self._handle.fileno()).st_size < self.position:
            self.truncations += 1
            self.position = 0
        chunks.append(self._read_all(_MAX_READ))
        return self._update(chunks, "Following")

    def close(self) -> None:
        self._closed = True
        if self._handle is not None:
            self._handle.close()
            self._handle = None
