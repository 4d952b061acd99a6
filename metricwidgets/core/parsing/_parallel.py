"""A large log parsed on every core, with the points of one process, in order.

The log comes cut at line ends (:mod:`metricwidgets.core.parsing._pieces`); each piece is
parsed in a worker process by a :class:`~metricwidgets.core.parsing.LogParser` of its own,
and :class:`ParallelParse` joins the pieces, in order, into the caller's parser: its points,
and the parser's state (line count, step, statistics, cut lines) as if it had been fed every
piece itself. A piece's points become one process's points once

* its line numbers are shifted by the lines of the pieces before it;
* its points before its first step capture take the step the pieces before ended on (all
  of them do once the step regex was switched off by the time guard);
* a definition switched off by the time guard in one piece yields nothing in the pieces
  after it (in one process it stays off for the rest of the log);
* its statistics are added, the first example of each kind of drop kept, with the same
  shifts.

Starting the workers
--------------------
Workers are started by a fork server (``spawn`` where there is none: Windows), never by
``fork``. This code runs inside Jupyter kernels, and there other threads run all the time
(ipykernel's IOPub and heartbeat threads, the watch's poller thread, which is the very
thread that re-parses a job when its definitions change). ``fork`` copies only the calling
thread: a lock another thread held at that moment (the IOPub stream's, logging's, an
allocator's) stays held in the child with nobody to release it, and the child can hang on
its first print (Python 3.12 warns of this; 3.14 no longer forks by default). The fork
server is a fresh single-threaded interpreter, started once per process (about 0.3 s, with
this module and numpy preloaded) that forks each worker: a later pool starts in tens of
milliseconds. ``spawn`` would pay the fresh interpreter for every pool.

A worker started so imports the main module again: a kernel's launcher and a guarded
script (``if __name__ == "__main__"``) do nothing then, but an unguarded script would run
its top level once more in every worker. So the default number of workers is 1 in such a
script (:func:`default_workers`); a caller who asks for more is taken at their word.

Small inputs do not pay the start: under ``min_bytes`` (:data:`PARALLEL_MIN_BYTES`), or
with one worker, the caller's parser is fed the pieces here, in this process. When the
workers cannot start or die (a script read from stdin cannot be imported again; an
out-of-memory kill), the pieces not yet parsed are parsed here too, and
:attr:`ParallelParse.fallback` says why.

One pool at a time
------------------
Parses may run at once on several threads of a process (a backfill reads four jobs at once;
a watch re-parses while another reads): only one of them at a time gets worker processes,
the others parse in their own thread, in this process. Each pool has a worker per CPU, so
two pools would only share the same cores among twice the processes (and their memory).

Bounded memory
--------------
At most :data:`IN_FLIGHT` pieces per worker are given out and not yet joined; a worker reads
a file's piece itself, :data:`~metricwidgets.core.parsing._pieces.CHUNK_CHARS` at a time,
and sends back only its points, as numpy columns. Results are yielded piece by piece, for
the caller to write out or keep.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
import re
import sys
import threading
from collections import deque
from collections.abc import Iterable, Iterator

import numpy as np

from metricwidgets.core.parsing._parser import LogParser
from metricwidgets.core.parsing._pieces import feed_into
from metricwidgets.core.parsing._results import DefinitionStats, Drop, ParseResult

__all__ = ["IN_FLIGHT", "PARALLEL_MIN_BYTES", "ParallelParse", "cpus", "default_workers",
           "main_reimport_safe"]

_log = logging.getLogger(__name__)

#: Logs smaller than this are parsed in this process: starting workers costs more than it
#: saves (measured by ``python -m tests.benchmarks parse_throughput``; read at each parse).
PARALLEL_MIN_BYTES = 16 << 20
#: Pieces given out per worker and not yet joined.
IN_FLIGHT = 2
#: Held by the parse that has worker processes (see "One pool at a time").
_POOL_SLOT = threading.Lock()


def cpus() -> int:
    """The CPUs this process may run on (all of them where that cannot be asked: macOS)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


#: A script's guard against being run again on import.
_MAIN_GUARD = re.compile(r"""if\s+__name__\s*==\s*['"]__main__['"]""")


def main_reimport_safe() -> bool:
    """Whether worker processes may start without running the user's script again.

    A fork server's (or spawn's) worker imports the main module again, as ``__mp_main__``:
    a script's top level then runs once more in every worker, unless it is guarded by
    ``if __name__ == "__main__"``. Safe: an interactive session or ``python -c`` (no main
    file), a kernel or ``python -m package`` (multiprocessing skips ``*.__main__``, and
    ``ipykernel_launcher`` is guarded), and a script that has the guard (as every
    console-script such as ``metricwidgets`` has).
    """
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None and (spec.name.endswith("__main__") or spec.name == "ipykernel_launcher"):
        return True
    path = getattr(main, "__file__", None)
    if path is None:
        return True
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return bool(_MAIN_GUARD.search(handle.read(1 << 20)))
    except OSError:
        return False


def default_workers() -> int:
    """Every CPU, or 1 when worker processes would run the main script again
    (:func:`main_reimport_safe`)."""
    return cpus() if main_reimport_safe() else 1


@dataclasses.dataclass
class _Piece:
    """What a worker sends back: the piece's points and its parser's state at its end."""

    result: ParseResult
    lines: int
    stats: list[DefinitionStats]
    cut_lines: int
    cut_chars: int
    step: float
    step_disabled: str | None


#: In a worker process: the last parser made, with its definitions (a worker parses piece
#: after piece with the same ones, and compiling ten costs about 15 ms). None elsewhere:
#: a parse in this process (after a failure) may run on several threads at once.
_worker_parser: list | None = None


def _mark_worker() -> None:
    global _worker_parser
    _worker_parser = [None, None]


def _parser_for(config: tuple) -> LogParser:
    """A fresh parser for ``config``: the worker's last one restarted, when it can be."""
    if _worker_parser is not None and _worker_parser[0] == config:
        parser = _worker_parser[1]
        parser.restart()
        return parser
    definitions, escape, step_definition, regex_timeout = config
    parser = LogParser(definitions, escape=escape, step_definition=step_definition,
                       regex_timeout=regex_timeout)
    if _worker_parser is not None:
        _worker_parser[:] = [config, parser]
    return parser


def _parse_piece(config: tuple, piece) -> _Piece:
    """Parse ``piece`` with a parser of its own (in a worker, or here after a failure)."""
    parser = _parser_for(config)
    results = [result for feed in piece.feeds() for result in feed_into(parser, feed)]
    results.append(parser.finish())
    return _Piece(ParseResult.concat(results), parser.lines, parser.stats, parser.cut_lines,
                  parser.cut_chars, parser.step, parser.step_disabled)


def _worker_pool(workers: int):
    """A process pool whose workers come from a fork server (see the module docstring)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        # Only heeded before the server starts (once per process); then it saves each
        # worker importing numpy and the parser.
        context.set_forkserver_preload([__name__])
    else:
        context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(workers, mp_context=context, initializer=_mark_worker)


class ParallelParse:
    """Feed pieces of a log to ``parser`` through worker processes.

    Parameters
    ----------
    parser : LogParser
        Fresh, or at a line end; its definitions, escaping, step definition and time guard
        are the workers'. After :meth:`results` is iterated to its end its state is what
        feeding it every piece (and :meth:`LogParser.finish`) would have left.
    workers : int, optional
        Processes (1: this process only). Default: the CPUs this process may run on, but 1
        in a script without an ``if __name__ == "__main__"`` guard, whose top level each
        worker would run again (:func:`main_reimport_safe`).
    min_bytes : int, optional
        Pieces smaller than this in all (:data:`PARALLEL_MIN_BYTES`) are parsed in this
        process.

    Attributes
    ----------
    pooled : bool
        Whether the last :meth:`results` used worker processes (False also while another
        parse of this process had them: it was parsed here, in its own thread).
    fallback : str or None
        Why pieces were parsed here after all (the workers could not start or died).
    most_in_flight : int
        The most pieces given out and not yet joined at once.
    """

    def __init__(self, parser: LogParser, workers: int | None = None,
                 min_bytes: int | None = None):
        self.parser = parser
        self.workers = max(1, int(workers or default_workers()))
        self.min_bytes = PARALLEL_MIN_BYTES if min_bytes is None else min_bytes
        self.pooled = False
        self.fallback: str | None = None
        self.most_in_flight = 0

    def results(self, pieces: Iterable) -> Iterator[ParseResult]:
        """Parse ``pieces`` (each ending at a line end but maybe the last, whose unfinished
        line is finished); yield their points in order, lines numbered on from the parser's
        count."""
        pieces = list(pieces)
        workers = min(self.workers, len(pieces))
        size = sum(p.size for p in pieces)
        wanted = workers > 1 and size >= self.min_bytes
        self.pooled = wanted and _POOL_SLOT.acquire(blocking=False)
        _log.debug("parsing %d piece(s), %d bytes, on %d process(es)%s", len(pieces), size,
                   workers if self.pooled else 1,
                   " (another parse has the workers)" if wanted and not self.pooled else "")
        if not self.pooled:
            yield from self._here(pieces)
            return
        try:
            yield from self._in_pool(pieces, workers)
        finally:
            _POOL_SLOT.release()

    def parse(self, pieces: Iterable) -> ParseResult:
        """Every point of ``pieces`` at once (see :meth:`results`)."""
        return ParseResult.concat(list(self.results(pieces)))

    def _here(self, pieces: list) -> Iterator[ParseResult]:
        for piece in pieces:
            for feed in piece.feeds():
                yield from feed_into(self.parser, feed)
        yield self.parser.finish()

    def _config(self) -> tuple:
        p = self.parser
        return p.definitions, p.escape, p.step_definition, p.regex_timeout

    def _in_pool(self, pieces: list, workers: int) -> Iterator[ParseResult]:
        config = self._config()
        pool = _worker_pool(workers)
        pending: deque = deque()
        try:
            for piece in pieces:
                pending.append((piece, self._submit(pool, config, piece)))
                self.most_in_flight = max(self.most_in_flight, len(pending))
                if len(pending) >= IN_FLIGHT * workers:
                    yield self._join(self._collect(config, *pending.popleft()))
            while pending:
                yield self._join(self._collect(config, *pending.popleft()))
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _submit(self, pool, config: tuple, piece):
        """The piece's future, or None once the pool cannot take work."""
        from concurrent.futures.process import BrokenProcessPool

        if self.fallback is None:
            try:
                return pool.submit(_parse_piece, config, piece)
            except (BrokenProcessPool, OSError, RuntimeError) as exc:
                self._fall_back(exc)
        return None

    def _collect(self, config: tuple, piece, future) -> _Piece:
        from concurrent.futures.process import BrokenProcessPool

        if future is not None:
            try:
                return future.result()  # an error of the parsing itself is raised here
            except BrokenProcessPool as exc:
                self._fall_back(exc)
        return _parse_piece(config, piece)

    def _fall_back(self, exc: BaseException) -> None:
        if self.fallback is None:
            self.fallback = (f"worker processes failed ({type(exc).__name__}: {exc}); "
                             "parsing in this process instead")
            _log.warning("%s", self.fallback)

    # -- joining ---------------------------------------------------------------------------

    def _join(self, piece: _Piece) -> ParseResult:
        """``piece``'s points as the parser would have given them; the parser's state moved
        past the piece."""
        parser, result = self.parser, piece.result
        base, carried = parser.lines, parser.step
        # Once the step regex is off, one process gives every later point the step reached.
        step_off = parser.step_disabled is not None
        open_ = [not stats.disabled for stats in parser.stats]
        for mine, theirs in zip(parser.stats, piece.stats):
            if not mine.disabled:
                _add_stats(mine, theirs, lambda d: _moved(d, base, carried, step_off))
        parser.lines += piece.lines
        parser.cut_lines += piece.cut_lines
        parser.cut_chars += piece.cut_chars
        if not step_off and not math.isnan(piece.step):
            parser.step = piece.step
        parser.step_disabled = parser.step_disabled or piece.step_disabled
        drops = [_moved(d, base, carried, step_off) for d in result.drops if open_[d.metric]]
        step = np.full(len(result), carried) if step_off else \
            np.where(np.isnan(result.step), carried, result.step)
        joined = ParseResult(result.metric, result.line + base, result.value, step,
                             result.timestamp, drops)
        keep = np.asarray(open_, bool)[result.metric] if len(result) else None
        if keep is None or keep.all():
            return joined
        return ParseResult(joined.metric[keep], joined.line[keep], joined.value[keep],
                           joined.step[keep], joined.timestamp[keep], drops)


def _moved(drop: Drop, base: int, carried: float, step_off: bool) -> Drop:
    """A piece's drop as the whole log's: its line shifted, its missing step carried."""
    step = carried if step_off or math.isnan(drop.step) else drop.step
    return dataclasses.replace(drop, line=drop.line + base, step=step)


def _add_stats(mine: DefinitionStats, theirs: DefinitionStats, move) -> None:
    """Add a piece's statistics of one definition to the whole log's."""
    mine.points += theirs.points
    for reason, count in theirs.dropped.items():
        mine.dropped[reason] = mine.dropped.get(reason, 0) + count
        if reason not in mine.examples:
            mine.examples[reason] = move(theirs.examples[reason])
    mine.disabled = theirs.disabled
