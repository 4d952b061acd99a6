"""``metricwidgets parse LOGFILE``: a log's metric points as CSV (or JSON) on stdout.

The file is streamed in chunks through :class:`~metricwidgets.core.parsing.LogParser`, so a
1 GB log is parsed in bounded memory; drops and disabled definitions go to stderr. A file of
:data:`~metricwidgets.core.parsing.PARALLEL_MIN_BYTES` or more is cut at line ends and parsed
on every CPU (:class:`~metricwidgets.core.parsing.ParallelParse`: the same points, in order,
and the same report).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import stat
import sys
from collections.abc import Callable, Iterator

from metricwidgets.cli.output import json_number
from metricwidgets.core.parsing import MetricDefinition
from metricwidgets.core.parsing import LogParser, cut_message, refuse_invalid
from metricwidgets.core.parsing import ParseResult
from metricwidgets.core.parsing import DROP_REASONS, PARALLEL_MIN_BYTES, ParallelParse, cpus
from metricwidgets.core.parsing import file_pieces
from metricwidgets.errors import InputError
from metricwidgets.options import MetricOptions, add_option_arguments

__all__ = [
    "CHUNK_BYTES",
    "DEFAULT_MAX_BYTES",
    "LogStream",
    "add_definition_arguments",
    "add_log_arguments",
    "drop_report",
    "parse_size",
    "read_definitions",
    "refuse_bad_step",
    "register",
    "run",
    "usable_definitions",
    "write_csv",
    "write_json",
]

#: The default ``--max-bytes``: far beyond any real training log, short of forever.
DEFAULT_MAX_BYTES = 20 << 30
_SIZE = re.compile(r"^\s*(\d{1,15})\s*([KMGT]?)B?\s*$", re.IGNORECASE)
_SIZE_SHIFT = {"": 0, "K": 10, "M": 20, "G": 30, "T": 40}

#: Bytes read from the log per chunk: large enough for one regex pass to pay, small enough
#: that memory stays a few times this whatever the file's size.
CHUNK_BYTES = 4 << 20


def add_definition_arguments(parser, required: bool = True) -> None:
    """``--definitions DEFS.json`` or one or more ``--definition NAME=REGEX`` (alias
    ``--regex``), declared as every door declares them (:mod:`metricwidgets.options`)."""
    group = parser.add_mutually_exclusive_group(required=required)
    add_option_arguments(group, "definitions", "definition", overrides={
        "definitions": {"metavar": "DEFS.json"},
        "definition": {"help": "one definition (repeat for more; --regex is an alias)"}})


def read_definitions(args) -> list[MetricDefinition]:
    """The definitions named on the command line (not validated).

    Raises
    ------
    InputError
        When the file is missing or is not SageMaker's JSON shape.
    """
    return MetricOptions.from_arguments(args).definitions or []


def refuse_bad_step(step: str | None) -> None:
    """Refuse ``--step`` as SageMaker would refuse a definition's regex: without a group it
    would give no step at all, and a regex that does not compile gives nothing.

    Raises
    ------
    DefinitionError
        Naming the step regex's problem.
    """
    if step:
        for problem in refuse_invalid([MetricDefinition("step", step)]):
            raise problem


def usable_definitions(args) -> list[MetricDefinition]:
    """The definitions named on the command line, refused as SageMaker would refuse them.

    The rule ``parse``, ``diagnose`` and ``fetch`` share
    (:func:`~metricwidgets.core.parsing.refuse_invalid`); a regex without a capture group,
    which SageMaker accepts, is a warning on stderr.

    Raises
    ------
    DefinitionError
        Naming the first definition SageMaker would refuse, and how many more problems.
    """
    definitions = read_definitions(args)
    for problem in refuse_invalid(definitions):
        # SageMaker accepts a regex without a group (AWS's own examples have one): say so and
        # use the others; `check` reports it as an error.
        print(f"metricwidgets {args.command}: warning: {problem}", file=sys.stderr)
    return definitions


def parse_size(text: str) -> int:
    """A byte count: ``20GB``, ``500MB``, ``64KB`` (powers of 1024) or a plain number.

    Raises
    ------
    argparse.ArgumentTypeError
        For anything else (argparse turns it into one usage line).
    """
    match = _SIZE.match(str(text))
    if not match:
        raise argparse.ArgumentTypeError(
            f"expected a size such as 20GB, 500MB or 1000000, not {text!r}")
    size = int(match.group(1)) << _SIZE_SHIFT[(match.group(2) or "").upper()]
    if size < 1:
        raise argparse.ArgumentTypeError(f"expected a size of at least one byte, not {text!r}")
    return size


def add_log_arguments(parser) -> None:
    """``--no-escape`` and ``--max-bytes``, the flags of every command that reads a log."""
    parser.add_argument("--no-escape", action="store_true",
                        help="the log was read back from CloudWatch Logs (already escaped)")
    parser.add_argument("--max-bytes", metavar="SIZE", type=parse_size,
                        default=DEFAULT_MAX_BYTES,
                        help="stop reading LOGFILE after this many bytes, saying so (default "
                             "20GB; bounds an endless pipe; exit status 1 when reached)")


class LogStream:
    """A log file read chunk by chunk, at most ``max_bytes`` of it.

    A device other than a terminal (``/dev/zero``, a disk) is refused; a pipe is read until
    it ends or ``max_bytes`` were read, so no command runs forever on an endless input.

    Attributes
    ----------
    read : int
        Bytes read so far.
    truncated : bool
        True when reading stopped at ``max_bytes`` with more to come.
    """

    def __init__(self, path: str, max_bytes: int = DEFAULT_MAX_BYTES):
        self.path = path
        self.max_bytes = max_bytes
        self.read = 0
        self.truncated = False

    def _open(self):
        try:
            handle = open(self.path, "rb")
        except OSError as exc:
            raise InputError(f"{self.path}: {exc.strerror or exc}") from None
        mode = os.fstat(handle.fileno()).st_mode
        if (stat.S_ISCHR(mode) or stat.S_ISBLK(mode)) and not handle.isatty():
            handle.close()
            raise InputError(f"{self.path}: a device, not a log file (give a file or a pipe)")
        return handle

    def results(self, parser: LogParser, on_chunk: Callable[[str], None] | None = None,
                workers: int = 1) -> Iterator[ParseResult]:
        """Feed the file to ``parser`` chunk by chunk; yield each chunk's result, then the
        parser's last. ``on_chunk`` (if given) sees each raw chunk decoded as UTF-8.

        With ``workers`` > 1, a regular file of
        :data:`~metricwidgets.core.parsing.PARALLEL_MIN_BYTES` or more within ``max_bytes``
        is cut at line ends and parsed on that many processes
        (:class:`~metricwidgets.core.parsing.ParallelParse`: the same results, the same
        parser's state), as large as it is now: a log still growing is parsed up to here.

        Raises
        ------
        InputError
            When the file cannot be opened or is a device.
        """
        with self._open() as handle:
            size = _regular_size(handle)
            if workers > 1 and on_chunk is None and \
                    PARALLEL_MIN_BYTES <= size <= self.max_bytes:
                self.read = size
                yield from ParallelParse(parser, workers).results(
                    file_pieces(self.path, size=size))
                return
            while True:
                want = min(CHUNK_BYTES, self.max_bytes - self.read)
                data = handle.read(want) if want > 0 else b""
                if not data:
                    # At the limit: one more byte tells a file that ends there from more.
                    self.truncated = want <= 0 and bool(handle.read(1))
                    break
                self.read += len(data)
                if on_chunk is not None:
                    on_chunk(data.decode("utf-8", errors="replace"))
                yield parser.feed(data)
        yield parser.finish()

    def note(self) -> str | None:
        """The one line saying reading stopped at ``--max-bytes``, or None."""
        if not self.truncated:
            return None
        return (f"{self.path}: stopped after {self.read:,} bytes (--max-bytes); the rest was "
                "not read")


def _regular_size(handle) -> int:
    """The size of a regular file; 0 for a pipe or a terminal (read as a stream)."""
    status = os.fstat(handle.fileno())
    return status.st_size if stat.S_ISREG(status.st_mode) else 0


def drop_report(parser: LogParser) -> list[str]:
    """One line per definition that dropped captures or was disabled, one for cut lines."""
    out = [cut_message(parser.cut_lines, parser.cut_chars)] if parser.cut_lines else []
    for name, stats in zip(parser.names, parser.stats):
        if stats.disabled:
            out.append(stats.disabled)
        for reason, count in stats.dropped.items():
            example = stats.examples[reason]
            out.append(f"{name}: {count} capture(s) dropped, {DROP_REASONS[reason]} "
                       f"(e.g. line {example.line}: {example.captured!r})")
    return out


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "parse", help="parse a log file into metric points (CSV or JSON on stdout)",
        description="Parse LOGFILE with metric definitions exactly as SageMaker does (one search "
                    "per line and definition, capture group 1, float conversion, SageMaker's "
                    "#011 escaping of control characters) and print line,metric,value. "
                    "Dropped captures and disabled definitions are reported on stderr.")
    parser.add_argument("logfile", metavar="LOGFILE")
    add_definition_arguments(parser)
    parser.add_argument("--format", choices=("csv", "json"), default="csv")
    add_log_arguments(parser)
    parser.add_argument("--workers", type=int, metavar="N",
                        help="processes for a large log (default: every CPU; 1: this one)")
    parser.set_defaults(func=run)


def _points(results: Iterator[ParseResult], names: list[str]) -> Iterator[tuple]:
    """``(line, metric name, value)`` for every point of every chunk's result."""
    for result in results:
        yield from zip(result.line.tolist(), [names[m] for m in result.metric.tolist()],
                       result.value.tolist())


def _csv_field(text: str) -> str:
    """``text`` as the csv module writes one field (quoted when it must be)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([text])
    return out.getvalue()[:-1]


def write_csv(out, results: Iterator[ParseResult], names: list[str]) -> None:
    """A ``line,metric,value`` header and one row per point, as the csv module writes them
    (names quoted when they must be, values by ``repr``), one chunk's rows at a time: the
    one part of a parse on every core left to this process, so written without a call per
    row."""
    quoted = [_csv_field(name) for name in names]
    out.write("line,metric,value\n")
    for result in results:
        out.write("".join([f"{line},{quoted[m]},{value!r}\n" for line, m, value in zip(
            result.line.tolist(), result.metric.tolist(), result.value.tolist())]))


def write_json(out, points) -> None:
    """A JSON array of ``{line, metric, value}``, one object a line, written as it comes
    (a large log is never held whole)."""
    out.write("[")
    separator = "\n"
    for line, metric, value in points:
        # Captures SageMaker drops (NaN, infinities) are never points; strict JSON all the same.
        out.write(separator + json.dumps({"line": line, "metric": metric,
                                          "value": json_number(value)}, allow_nan=False))
        separator = ",\n"
    out.write("\n]\n")


def _parser_and_results(args, definitions):
    """A parser (what :func:`drop_report` reads), its results in the log's order, and the
    :class:`LogStream` (whose note says if reading stopped at ``--max-bytes``)."""
    log = LogStream(args.logfile, args.max_bytes)
    parser = LogParser(definitions, escape=not args.no_escape)
    return parser, log.results(parser, workers=args.workers or cpus()), log


def run(args) -> int:
    parser, results, log = _parser_and_results(args, usable_definitions(args))
    if args.format == "json":
        write_json(sys.stdout, _points(results, parser.names))
    else:
        write_csv(sys.stdout, results, parser.names)
    sys.stdout.flush()
    for line in drop_report(parser) + [n for n in [log.note()] if n]:
        print(f"metricwidgets parse: {line}", file=sys.stderr)
    return 1 if log.truncated else 0
