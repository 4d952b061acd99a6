"""The parsing session of a watch: batches into the store, one parser per (source, host).

Log batches (:class:`~metricwidgets.sources.base.LogBatch`) arrive per host; each
(source, host) gets its own :class:`HostParser` (line numbers and the step are per host, as
in SageMaker). The batches are held, up to ``hold_limit`` bytes for the whole session, so
that changed definitions can be applied to the whole history: :meth:`ParsingSession.reparse`
builds fresh parsers, feeds them what was held and hands the store what is new (the store
drops points it already has, by line).

Past the hold nothing is held: :meth:`ParsingSession.replay` parses the text again as the
source reads it anew from its start (same lines, same numbers), and where that is impossible
:meth:`ParsingSession.reparse` gives the new parsers the line count reached, so numbering
stays continuous and the store never takes new lines for ones it has seen.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence

from metricwidgets.core.parsing import MetricDefinition
from metricwidgets.core.parsing import LogParser, ParallelParse, feed_into, feed_pieces
from metricwidgets.core.parsing import DefinitionStats, ParseResult
from metricwidgets.core.store import MetricStore, SeriesKey
from metricwidgets.sources.base import LogBatch, PointBatch

__all__ = ["HOLD_LIMIT", "HostParser", "ParsingSession", "batch_size"]

#: Bytes of log text kept per watch to re-parse when definitions change.
HOLD_LIMIT = 64 * 1024 * 1024


def batch_size(batch: LogBatch) -> int:
    """Characters (or bytes) of log text in ``batch``."""
    if batch.lines is not None:
        return sum(map(len, batch.lines))
    return len(batch.text or "")


class HostParser:
    """A parser for one (source, host), with the batches it parsed kept for re-parsing.

    Attributes
    ----------
    definitions : list of MetricDefinition
    names : list of str
    parser : LogParser
    text_mode : bool
        True for raw text (a local process or file: may end mid-line, finished at the end),
        False for CloudWatch's complete lines.
    held : list of LogBatch
    """

    def __init__(self, definitions: Sequence[MetricDefinition], step_definition,
                 text_mode: bool):
        self.definitions = list(definitions)
        self.names = [d.name for d in self.definitions]
        self.parser = LogParser(self.definitions, escape=True,
                                      step_definition=step_definition)
        self.step_definition = step_definition
        self.text_mode = text_mode
        self.held: list[LogBatch] = []

    def feed(self, batch: LogBatch, hold: bool) -> ParseResult:
        """Parse ``batch`` (and keep it when ``hold``)."""
        if hold:
            self.held.append(batch)
        return self._parse(batch)

    def _parse(self, batch: LogBatch) -> ParseResult:
        # A file that ended (rotated, truncated) has its last line ended by feed_into.
        return ParseResult.concat(list(feed_into(self.parser, batch)))

    def rebuilt(self, definitions, held: bool = True,
                workers: int | None = None) -> tuple[HostParser, ParseResult]:
        """A parser with ``definitions`` that has parsed everything held, and its result.

        Held text of :data:`~metricwidgets.core.parsing.PARALLEL_MIN_BYTES` or more is
        parsed on ``workers`` processes (default: every CPU), cut at line ends: the same
        points, and the same parser, unfinished last line included. With ``held=False``
        (the text is no longer held) it parses nothing and numbers its lines on from the
        line count this parser reached.
        """
        fresh = HostParser(definitions, self.step_definition, self.text_mode)
        if not held:
            fresh.parser.lines = self.parser.lines
            return fresh, ParseResult.concat([])
        fresh.held = self.held
        pieces, rest = feed_pieces(self.held)
        results = list(ParallelParse(fresh.parser, workers).results(pieces))
        results += [fresh.feed(batch, hold=False) for batch in rest]  # an unfinished line: held
        return fresh, ParseResult.concat(results)

    def text(self) -> str:
        """The held text, as one string."""
        parts = []
        for batch in self.held:
            if batch.lines is not None:
                parts.append("\n".join(batch.lines) + "\n")
            else:
                text = batch.text or ""
                parts.append(text.decode("utf-8", "replace") if isinstance(text, bytes) else text)
                last = next((part for part in reversed(parts) if part), "\n")
                if batch.ends_stream and not last.endswith("\n"):
                    parts.append("\n")  # the file ended mid-line: keep lines apart
        return "".join(parts)


class ParsingSession:
    """Every host parser of one watch, feeding one store.

    Parameters
    ----------
    store : MetricStore
    step_definition : MetricDefinition, str or None
        Given to every parser.
    hold_limit : int
        Bytes held in all, beyond which no more text is held (and :attr:`holding` is False).

    Thread-safe: every method takes the session's lock, which :meth:`reparse` and
    :meth:`replay` do not hold while they parse (a caller must not :meth:`feed` the same
    source meanwhile).
    """

    def __init__(self, store: MetricStore, step_definition=None, hold_limit: int = HOLD_LIMIT):
        self.store = store
        self.step_definition = step_definition
        self.hold_limit = hold_limit
        self.holding = True
        self.held_total = 0
        self._parsers: dict[tuple[str, str], HostParser] = {}
        self._lock = threading.RLock()

    def parsers(self) -> list[HostParser]:
        with self._lock:
            return list(self._parsers.values())

    def feed(self, source: str, batch: LogBatch,
             definitions: Sequence[MetricDefinition]) -> bool:
        """Parse ``batch`` of ``source`` (a new host gets a parser with ``definitions``) and
        store the points. Returns True when this batch made the session stop holding."""
        key = (source, batch.host)
        with self._lock:
            host = self._parsers.get(key)
            if host is None:
                host = self._parsers[key] = HostParser(definitions, self.step_definition,
                                                       batch.lines is None)
            result = host.feed(batch, self.holding)
            stopped = self._account(batch)
        self.store.add_result(source, batch.host, host.names, result)
        return stopped

    def add_points(self, source: str, batch: PointBatch) -> int:
        """Store points that arrived numeric (no step: NaN); return how many were new."""
        return self.store.add_points(SeriesKey(source, batch.host, batch.metric),
                                     [float("nan")] * len(batch.values), batch.timestamps,
                                     batch.values)

    def _account(self, batch: LogBatch) -> bool:
        self.held_total += batch_size(batch)
        if self.holding and self.held_total > self.hold_limit:
            self.holding = False
            for host in self._parsers.values():
                host.held = []
            return True
        return False

    def changed(self, source: str, definitions: Sequence[MetricDefinition]) -> bool:
        """True when some host of ``source`` parses with other definitions."""
        definitions = list(definitions)
        with self._lock:
            return any(key[0] == source and host.definitions != definitions
                       for key, host in self._parsers.items())

    def _store(self, key, host: HostParser, result: ParseResult, old) -> None:
        # Points of unchanged definitions are dropped by the store (line order); their NaN
        # marks would not be, so keep only the marks of new definitions.
        result.drops = [d for d in result.drops if host.definitions[d.metric] not in old]
        self.store.add_result(key[0], key[1], host.names, result)

    def reparse(self, source: str, definitions: Sequence[MetricDefinition]) -> None:
        """Parse ``source``'s held text again with ``definitions`` (where they changed).

        Once the session stopped holding, the new parsers parse nothing old: they go on
        from the line count reached (see :meth:`replay` to parse the text again).
        """
        definitions = list(definitions)
        with self._lock:
            stale = [(key, host) for key, host in self._parsers.items()
                     if key[0] == source and host.definitions != definitions]
            holding = self.holding
        # The parsing (seconds for a big job) holds no lock, so readers such as
        # definition_stats() go on meanwhile; the new parsers and their points then arrive
        # together. No feed() runs alongside: the watch's poll lock sees to that.
        rebuilt = [(key, host, *host.rebuilt(definitions, held=holding)) for key, host in stale]
        with self._lock:
            for key, old, fresh, result in rebuilt:
                self._parsers[key] = fresh
                self._store(key, fresh, result, set(old.definitions))

    def replay(self, source: str, definitions: Sequence[MetricDefinition],
               batches: Iterable[LogBatch]) -> int:
        """Parse ``source`` again from its start with ``definitions``: ``batches`` is its
        whole text read anew (as it was read the first time, maybe further), parsed as it
        comes (nothing is held). The new parsers replace the old ones and number on from
        there. Returns the lines parsed again."""
        definitions = list(definitions)
        with self._lock:
            old = {key: set(host.definitions) for key, host in self._parsers.items()
                   if key[0] == source}
        fresh: dict[tuple[str, str], HostParser] = {}
        for batch in batches:  # the reading (a whole job from CloudWatch) holds no lock
            key = (source, batch.host)
            host = fresh.get(key)
            if host is None:
                host = fresh[key] = HostParser(definitions, self.step_definition,
                                               batch.lines is None)
            self._store(key, host, host.feed(batch, hold=False), old.get(key, set()))
        with self._lock:
            for key in old:  # a host the new reading did not see again: number on
                if key not in fresh:
                    self._parsers[key], _ = self._parsers[key].rebuilt(definitions, False)
            self._parsers.update(fresh)
            return sum(host.parser.lines for host in fresh.values())

    def finish(self, source: str) -> None:
        """``source`` ended: parse each of its text hosts' unfinished last line."""
        with self._lock:
            hosts = [(k, h) for k, h in self._parsers.items() if k[0] == source]
        for (name, host_name), host in hosts:
            if host.text_mode:
                self.store.add_result(name, host_name, host.names, host.parser.finish())

    def held_text(self) -> str:
        """Every host's held text, one host after the other."""
        return "".join(host.text() for host in self.parsers())

    def definition_stats(self) -> dict[str, DefinitionStats]:
        """Statistics per definition name, summed over every source and host."""
        total: dict[str, DefinitionStats] = {}
        for host in self.parsers():
            for name, stats in zip(host.names, host.parser.stats):
                acc = total.setdefault(name, DefinitionStats())
                acc.points += stats.points
                for reason, count in stats.dropped.items():
                    acc.dropped[reason] = acc.dropped.get(reason, 0) + count
                for reason, drop in stats.examples.items():
                    acc.examples.setdefault(reason, drop)
                acc.disabled = acc.disabled or stats.disabled
        return total
