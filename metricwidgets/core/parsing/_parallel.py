"""A large log file parsed on every core, with the points of one process, in order.

SageMaker's rules are per line: a line's points depend on that line alone (and, for the step
column, on the latest step captured before it). So a file cut into pieces *at line ends* can
be parsed piece by piece in separate processes, each with its own
:class:`~metricwidgets.core.parsing.LogParser`, and the pieces' points joined in file order
are one process's points once

* each piece's line numbers are shifted by the lines of the pieces before it;
* points before a piece's first step capture take the step the previous pieces ended on;
* a definition disabled by the time guard in one piece yields nothing in the later pieces
  either (in one process it stays disabled for the rest of the file).

Cuts fall after a ``\\n`` byte, which is never inside a UTF-8 character, so each piece
decodes on its own. Memory stays bounded: at most ``2 * workers`` pieces are in flight, each
read in :data:`CHUNK_BYTES` chunks, and the caller consumes results as they come.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from typing import Iterator

import numpy as np

from metricwidgets.core.parsing._parser import LogParser
from metricwidgets.core.parsing._results import DefinitionStats, ParseResult

__all__ = ["CHUNK_BYTES", "PARALLEL_MIN_BYTES", "PIECE_BYTES", "ParallelParse", "cpus",
           "line_ranges"]

#: Bytes read from the file at once, within a piece.
CHUNK_BYTES = 4 << 20
#: Bytes per piece (one task of a worker process).
PIECE_BYTES = 32 << 20
#: Files smaller than this are parsed in this process (starting workers costs more).
PARALLEL_MIN_BYTES = 8 << 20


def cpus() -> int:
    """The CPUs this process may run on (all of them where that cannot be asked: macOS)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def line_ranges(path: str, piece_bytes: int = PIECE_BYTES) -> list[tuple[int, int]]:
    """Byte ranges ``[start, end)`` covering the file, each ending just after a ``\\n``
    (but the last), about ``piece_bytes`` long."""
    size = os.path.getsize(path)
    ranges, start = [], 0
    with open(path, "rb") as handle:
        while start < size:
            cut = start + piece_bytes
            if cut >= size:
                ranges.append((start, size))
                break
            handle.seek(cut)
            while True:
                block = handle.read(1 << 16)
                if not block:
                    end = size
                    break
                found = block.find(b"\n")
                if found >= 0:
                    end = cut + found + 1
                    break
                cut += len(block)
            ranges.append((start, end))
            start = end
    return ranges


@dataclasses.dataclass
class _Piece:
    result: ParseResult
    lines: int
    stats: list
    cut_lines: int
    cut_chars: int
    last_step: float
    step_disabled: str | None


def _parse_piece(task) -> _Piece:
    path, start, end, definitions, escape, step_definition = task
    parser = LogParser(definitions, escape=escape, step_definition=step_definition)
    results = []
    with open(path, "rb") as handle:
        handle.seek(start)
        left = end - start
        while left > 0:
            data = handle.read(min(CHUNK_BYTES, left))
            if not data:
                break
            left -= len(data)
            results.append(parser.feed(data))
    results.append(parser.finish())
    return _Piece(ParseResult.concat(results), parser.lines, parser.stats, parser.cut_lines,
                  parser.cut_chars, parser.step, parser.step_disabled)


class ParallelParse:
    """Parse the file at ``path`` in ``workers`` processes; iterate for each piece's
    :class:`ParseResult` (line numbers of the whole file, pieces in file order).

    Has what :class:`LogParser` reports once iterated to the end: ``names``, ``stats``,
    ``lines``, ``cut_lines``, ``cut_chars``, ``step_disabled``.

    Parameters
    ----------
    path : str
    definitions : list of MetricDefinition
    escape : bool
    step_definition : MetricDefinition, str or None
    workers : int, optional
        Processes (default: the CPUs this process may run on).
    piece_bytes : int
    """

    def __init__(self, path: str, definitions, *, escape: bool = True, step_definition=None,
                 workers: int | None = None, piece_bytes: int = PIECE_BYTES):
        self.path = path
        self.definitions = list(definitions)
        self.names = [d.name for d in self.definitions]
        self.escape = escape
        self.step_definition = step_definition
        self.workers = workers or cpus()
        self.piece_bytes = piece_bytes
        self.stats = [DefinitionStats() for _ in self.definitions]
        self.lines = self.cut_lines = self.cut_chars = 0
        self.step_disabled: str | None = None
        self._step = math.nan

    def __iter__(self) -> Iterator[ParseResult]:
        tasks = [(self.path, start, end, self.definitions, self.escape, self.step_definition)
                 for start, end in line_ranges(self.path, self.piece_bytes)]
        import multiprocessing
        import sys

        # fork starts at once; elsewhere (macOS, Windows) fork is unsafe or absent.
        context = multiprocessing.get_context(
            "fork" if sys.platform.startswith("linux") else "spawn")
        with ProcessPoolExecutor(self.workers, mp_context=context) as pool:
            pending: deque = deque()
            for task in tasks:
                pending.append(pool.submit(_parse_piece, task))
                if len(pending) >= 2 * self.workers:
                    yield self._join(pending.popleft().result())
            while pending:
                yield self._join(pending.popleft().result())

    def _join(self, piece: _Piece) -> ParseResult:
        result, base = piece.result, self.lines
        keep = np.ones(len(result), bool)
        keep_metric = [not stats.disabled for stats in self.stats]
        for index, (mine, theirs) in enumerate(zip(self.stats, piece.stats)):
            if mine.disabled:
                keep &= result.metric != index
                continue
            mine.points += theirs.points
            for reason, count in theirs.dropped.items():
                mine.dropped[reason] = mine.dropped.get(reason, 0) + count
                example = theirs.examples[reason]
                mine.examples.setdefault(reason, dataclasses.replace(
                    example, line=example.line + base))
            mine.disabled = theirs.disabled
        step = result.step
        if self.step_definition is not None and len(result):
            # A piece's parser starts with no step: its points before its first step capture
            # (and only those) have none, and take the step the pieces before ended on.
            step = np.where(np.isnan(step), self._step, step)
        carried = self._step
        if not math.isnan(piece.last_step):
            self._step = piece.last_step
        self.step_disabled = self.step_disabled or piece.step_disabled
        drops = [dataclasses.replace(d, line=d.line + base, step=carried if math.isnan(
            d.step) and self.step_definition is not None else d.step)
            for d in result.drops if keep_metric[d.metric]]
        self.lines += piece.lines
        self.cut_lines += piece.cut_lines
        self.cut_chars += piece.cut_chars
        return ParseResult(result.metric[keep], result.line[keep] + base, result.value[keep],
                           step[keep], result.timestamp[keep], drops)
