"""``metricwidgets parse LOGFILE``: a log's metric points as CSV (or JSON) on stdout.

The file is streamed in chunks through :class:`~metricwidgets.core.parsing.LogParser`, so a
1 GB log is parsed in bounded memory; drops and disabled definitions go to stderr. A file of
:data:`~metricwidgets.core.parsing.PARALLEL_MIN_BYTES` or more is cut at line ends and parsed
on every CPU (:class:`~metricwidgets.core.parsing.ParallelParse`: the same points, in order).
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterator

from metricwidgets.core.parsing import MetricDefinition
from metricwidgets.core.parsing import LogParser, cut_message, split_problems
from metricwidgets.core.parsing import ParseResult
from metricwidgets.core.parsing import DROP_REASONS, PARALLEL_MIN_BYTES, ParallelParse
from metricwidgets.errors import InputError
from metricwidgets.options import MetricOptions, add_option_arguments

__all__ = [
    "CHUNK_BYTES",
    "add_definition_arguments",
    "drop_report",
    "read_definitions",
    "register",
    "run",
    "stream_log",
    "write_csv",
    "write_json",
]

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


def stream_log(path: str, parser: LogParser,
               on_chunk: Callable[[str], None] | None = None) -> Iterator[ParseResult]:
    """Feed the file at ``path`` to ``parser`` chunk by chunk; yield each chunk's result.

    ``on_chunk`` (if given) sees each raw chunk decoded as UTF-8 (for a sample).

    Raises
    ------
    InputError
        When the file cannot be opened.
    """
    try:
        handle = open(path, "rb")
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    with handle:
        while True:
            data = handle.read(CHUNK_BYTES)
            if not data:
                break
            if on_chunk is not None:
                on_chunk(data.decode("utf-8", errors="replace"))
            yield parser.feed(data)
    yield parser.finish()


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
    parser.add_argument("--no-escape", action="store_true",
                        help="the log was read back from CloudWatch Logs (already escaped)")
    parser.add_argument("--workers", type=int, metavar="N",
                        help="processes for a large log (default: every CPU; 1: this one)")
    parser.set_defaults(func=run)


def _points(results: Iterator[ParseResult], names: list[str]) -> Iterator[tuple]:
    """``(line, metric name, value)`` for every point of every chunk's result."""
    for result in results:
        yield from zip(result.line.tolist(), [names[m] for m in result.metric.tolist()],
                       result.value.tolist())


def write_csv(out, points) -> None:
    """A ``line,metric,value`` header and one row per point; the csv module quotes."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("line", "metric", "value"))
    writer.writerows(points)


def write_json(out, points) -> None:
    """A JSON array of ``{line, metric, value}``, one object a line, written as it comes
    (a large log is never held whole)."""
    out.write("[")
    separator = "\n"
    for line, metric, value in points:
        out.write(separator + json.dumps({"line": line, "metric": metric, "value": value}))
        separator = ",\n"
    out.write("\n]\n")


def _parser_and_results(args, definitions):
    """A parser (what :func:`drop_report` reads) and its results, in the log's order: on
    every CPU for a large file, here otherwise."""
    import os

    workers = args.workers or len(os.sched_getaffinity(0))
    try:
        size = os.path.getsize(args.logfile)
    except OSError:
        size = 0  # stream_log says why it cannot be read
    if workers > 1 and size >= PARALLEL_MIN_BYTES:
        parallel = ParallelParse(args.logfile, definitions, escape=not args.no_escape,
                                 workers=workers)
        return parallel, iter(parallel)
    parser = LogParser(definitions, escape=not args.no_escape)
    return parser, stream_log(args.logfile, parser)


def run(args) -> int:
    definitions = read_definitions(args)
    refused, useless = split_problems(definitions)
    if refused:
        raise InputError(str(refused[0]))
    for problem in useless:
        # SageMaker accepts a regex without a group (AWS's own examples have one): say so and
        # parse the others; `check` reports it as an error.
        print(f"metricwidgets parse: warning: {problem}", file=sys.stderr)
    parser, results = _parser_and_results(args, definitions)
    points = _points(results, parser.names)
    (write_json if args.format == "json" else write_csv)(sys.stdout, points)
    sys.stdout.flush()
    for line in drop_report(parser):
        print(f"metricwidgets parse: {line}", file=sys.stderr)
    return 0
