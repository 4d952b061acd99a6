"""A log cut at line ends into pieces that parse on their own.

SageMaker's rules are per line: a line's points depend on that line alone (and, for the step
column, on the latest step captured before it). Cut where a line ends, each piece can be
parsed by a parser of its own, in another process
(:class:`~metricwidgets.core.parsing.ParallelParse` joins the pieces' points back into one
parser's). A cut is safe

* after a ``\\n``: in UTF-8 that byte is never inside a character, so a piece of bytes decodes
  on its own, and a ``\\r\\n`` stays whole;
* between two lines of complete lines (CloudWatch events);
* after text whose stream ended (a rotated file: its last line was a line of its own).

Three kinds of log are cut: a file (:func:`file_pieces`: each worker reads its own byte
range, so only four numbers travel to it), a text in memory (:func:`text_pieces`), and the
batches a watch holds (:func:`feed_pieces`: raw text stamped per batch, or CloudWatch's lines
with a timestamp each; anything with :class:`Feed`'s attributes, such as a source's
``LogBatch``). :func:`feed_into` is how one batch is given to a parser, here and by a watch.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from metricwidgets.core.parsing._results import ParseResult

__all__ = ["CHUNK_CHARS", "FEED_LINES", "PIECE_BYTES", "Feed", "FeedSpan", "FileSpan",
           "TextSpan", "feed_into", "feed_pieces", "file_pieces", "line_ranges", "text_pieces"]

#: Characters (or bytes) of text given to a parser at once: large enough for one regex pass
#: to pay, small enough that a parser's memory stays a few times this.
CHUNK_CHARS = 4 << 20
#: CloudWatch lines given to a parser at once (the same bound, for complete lines).
FEED_LINES = 1 << 15
#: About how large one piece is (one task of a worker process; read when pieces are cut).
PIECE_BYTES = 4 << 20


@dataclass
class Feed:
    """Log text as a parser is fed it: a source's ``LogBatch`` without its host.

    Exactly one of ``lines`` (complete lines, already escaped, with ``timestamps``, one per
    line or None) and ``text`` (raw text, str or bytes, that may end mid-line; every line it
    completes is stamped ``timestamp``). ``ends_stream``: the text's origin ends after it.
    """

    lines: list[str] | None = None
    timestamps: Sequence[float] | None = None
    text: str | bytes | None = None
    timestamp: float | None = None
    ends_stream: bool = False


def feed_into(parser, feed: Any) -> Iterator[ParseResult]:
    """Give ``feed`` (a :class:`Feed` or a ``LogBatch``) to ``parser`` as a watch does, in
    bounded parts; yield each part's result.

    Lines go as they are, text in :data:`CHUNK_CHARS` parts (each line stamped with the
    feed's ``timestamp``), and a stream that ends has its unfinished last line finished.
    """
    if feed.lines is not None:
        lines, stamps = feed.lines, feed.timestamps
        for at in range(0, len(lines), FEED_LINES):
            yield parser.feed_lines(lines[at:at + FEED_LINES],
                                    None if stamps is None else stamps[at:at + FEED_LINES])
        return
    text = feed.text or b""
    for at in range(0, len(text), CHUNK_CHARS):
        yield parser.feed(text[at:at + CHUNK_CHARS], feed.timestamp)
    if feed.ends_stream:
        yield parser.finish()


class _Span:
    """A piece ``[start, end)`` of a log, in bytes or characters."""

    start: int
    end: int

    @property
    def size(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class FileSpan(_Span):
    """Bytes ``[start, end)`` of the file at ``path``: the worker reads them itself."""

    path: str
    start: int
    end: int

    def feeds(self) -> Iterator[Feed]:
        """The span's bytes, :data:`CHUNK_CHARS` at a time (never all of it at once)."""
        with open(self.path, "rb") as handle:
            handle.seek(self.start)
            left = self.size
            while left > 0:
                data = handle.read(min(CHUNK_CHARS, left))
                if not data:
                    return
                left -= len(data)
                yield Feed(text=data)


@dataclass
class FeedSpan:
    """Batches of a log, in order (a :class:`Feed`, a ``LogBatch``, ...)."""

    batches: list
    size: int

    def feeds(self) -> Iterator[Any]:
        return iter(self.batches)


def line_ranges(path: str, piece_bytes: int | None = None,
                size: int | None = None) -> list[tuple[int, int]]:
    """Byte ranges ``[start, end)`` covering the first ``size`` bytes of the file (all of it
    by default), each ending just after a ``\\n`` (but the last), about ``piece_bytes``
    (:data:`PIECE_BYTES`) long."""
    size = os.path.getsize(path) if size is None else size
    piece_bytes = piece_bytes or PIECE_BYTES
    ranges, start = [], 0
    with open(path, "rb") as handle:
        while start < size:
            end = min(_line_end(handle, start + piece_bytes), size)
            ranges.append((start, end))
            start = end
    return ranges


def _line_end(handle, cut: int) -> int:
    """The offset just after the first ``\\n`` at or after ``cut`` (the file's end if none)."""
    handle.seek(cut)
    while True:
        block = handle.read(1 << 16)
        if not block:
            return cut
        found = block.find(b"\n")
        if found >= 0:
            return cut + found + 1
        cut += len(block)


def file_pieces(path: str, piece_bytes: int | None = None,
                size: int | None = None) -> list[FileSpan]:
    """The file cut at line ends into pieces of about ``piece_bytes`` (:data:`PIECE_BYTES`;
    its first ``size`` bytes, all of them by default)."""
    return [FileSpan(path, start, end) for start, end in line_ranges(path, piece_bytes, size)]


@dataclass(frozen=True)
class TextSpan(_Span):
    """Characters ``[start, end)`` of a text in memory. Only they are copied, when the span
    is sent to a worker (pickled), never the whole text."""

    text: str | bytes = dataclasses.field(repr=False)
    start: int
    end: int

    def feeds(self) -> Iterator[Feed]:
        for at in range(self.start, self.end, CHUNK_CHARS):
            yield Feed(text=self.text[at:min(at + CHUNK_CHARS, self.end)])

    def __reduce__(self):
        return TextSpan, (self.text[self.start:self.end], 0, self.size)


def text_pieces(text: str | bytes, piece_chars: int | None = None) -> list[TextSpan]:
    """``text`` cut at line ends into pieces of about ``piece_chars`` (:data:`PIECE_BYTES`;
    the last holds the unfinished last line, if any)."""
    bounds = [0, *_text_cuts(text, piece_chars or PIECE_BYTES, piece_chars or PIECE_BYTES),
              len(text)]
    return [TextSpan(text, a, b) for a, b in zip(bounds, bounds[1:]) if b > a]


def _text_cuts(text: str | bytes, first: int, size: int) -> list[int]:
    """Offsets just after a ``\\n``: the first at least ``first`` characters in, each next
    at least ``size`` after the one before (none at the text's end)."""
    newline = b"\n" if isinstance(text, (bytes, bytearray)) else "\n"
    cuts, at = [], first
    while True:
        found = text.find(newline, max(at - 1, 0))
        if found < 0 or found >= len(text) - 1:
            return cuts
        cuts.append(found + 1)
        at = found + 1 + size


def _line_cuts(lines: list[str], first: int, size: int) -> list[int]:
    """Line indexes to cut before: the first after at least ``first`` characters (and one
    line), each next at least ``size`` after the one before (none at the end)."""
    if not lines:
        return []
    ends = np.cumsum(np.fromiter(map(len, lines), np.int64, count=len(lines)) + 1)
    cuts, at, done = [], first, 0
    while True:
        cut = max(int(np.searchsorted(ends, at, side="left")), done) + 1
        if cut >= len(lines):
            return cuts
        cuts.append(cut)
        done, at = cut, int(ends[cut - 1]) + size


def _size(batch) -> int:
    if batch.lines is not None:
        return sum(map(len, batch.lines)) + len(batch.lines)
    return len(batch.text or "")


def _safe_end(batch) -> bool:
    """True when a piece may end after ``batch``."""
    if batch.lines is not None or batch.ends_stream:
        return True
    # Empty text changes nothing: whether its place is safe is the batch before's to say.
    return (batch.text or "")[-1:] in ("\n", b"\n")


def _parts(batch, first: int, size: int) -> list:
    """``batch`` cut at safe places (see :func:`_text_cuts`, :func:`_line_cuts`) into parts,
    each sliced once; a text's ``ends_stream`` stays on its last part."""
    if batch.lines is not None:
        lines, stamps = batch.lines, batch.timestamps
        bounds = [0, *_line_cuts(lines, first, size), len(lines)]
        return [dataclasses.replace(batch, lines=lines[a:b],
                                    timestamps=None if stamps is None else stamps[a:b])
                for a, b in zip(bounds, bounds[1:])]
    text = batch.text or ""
    bounds = [0, *_text_cuts(text, first, size), len(text)]
    if len(bounds) == 2:
        return [batch]
    return [dataclasses.replace(batch, text=text[a:b], ends_stream=batch.ends_stream and
                                b == len(text)) for a, b in zip(bounds, bounds[1:])]


def feed_pieces(batches, piece_size: int | None = None) -> tuple[list[FeedSpan], list]:
    """``batches`` (each a :class:`Feed` or a ``LogBatch``; all raw text or all lines) cut
    at safe places into pieces of about ``piece_size`` (:data:`PIECE_BYTES`), and the rest:
    the batches after the last safe place (raw text's unfinished last line), empty when the
    text ends at a line end.

    A batch is cut where a piece must end inside it (same timestamps, the stream's end on
    its last part only): parsing the parts one after the other is parsing the batch.
    """
    piece_size = piece_size or PIECE_BYTES
    pieces: list[FeedSpan] = []
    current: list = []
    size = 0
    for batch in batches:
        parts = _parts(batch, piece_size - size, piece_size) \
            if size + _size(batch) > piece_size else [batch]
        for part in parts[:-1]:
            pieces.append(FeedSpan(current + [part], size + _size(part)))
            current, size = [], 0
        current.append(parts[-1])
        size += _size(parts[-1])
        if size >= piece_size and _safe_end(parts[-1]):
            pieces.append(FeedSpan(current, size))
            current, size = [], 0
    done, rest = _last_safe(current)
    if done:
        pieces.append(FeedSpan(done, sum(map(_size, done))))
    return pieces, rest


def _last_safe(batches: list) -> tuple[list, list]:
    """``batches`` cut at their last safe place: (before, after)."""
    for k in range(len(batches) - 1, -1, -1):
        batch = batches[k]
        if _safe_end(batch):
            return batches[:k + 1], batches[k + 1:]
        text = batch.text or ""
        found = text.rfind(b"\n" if isinstance(text, bytes) else "\n")
        if found >= 0:
            return (batches[:k] + [dataclasses.replace(batch, text=text[:found + 1],
                                                       ends_stream=False)],
                    [dataclasses.replace(batch, text=text[found + 1:])] + batches[k + 1:])
    return [], batches
