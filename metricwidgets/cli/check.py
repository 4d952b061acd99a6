"""``metricwidgets check LOGFILE --definitions DEFS.json``: will these definitions work?

Prints each definition's match count, dropped captures with an example, errors and lint
warnings; exits 1 when any definition matches nothing (or only captures SageMaker drops) and
on any error line (a definition SageMaker would refuse, the log read only up to
``--max-bytes``). The log is streamed,
so a 1 GB log is checked in bounded memory; lint sees the log's first few megabytes.
"""

from __future__ import annotations

import sys

from metricwidgets.cli.parse import (
    LogStream,
    add_definition_arguments,
    add_log_arguments,
    read_definitions,
)
from metricwidgets.core.parsing import validate_definitions
from metricwidgets.core.authoring import lint_definitions
from metricwidgets.core.parsing import LogParser, cut_message
from metricwidgets.core.parsing import DROP_REASONS

__all__ = ["register", "run", "SAMPLE_CHARS"]

#: How much of the log's start lint checks the regexes against.
SAMPLE_CHARS = 4 << 20


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "check", help="check metric definitions against a log (exit 1 on any problem)",
        description="Report, for each definition, how many lines of LOGFILE it matches, the "
                    "captures SageMaker would drop (with an example), regex errors and lint "
                    "warnings with suggested fixes. Exit status 1 when a definition matches "
                    "nothing or has an error.")
    parser.add_argument("logfile", metavar="LOGFILE")
    add_definition_arguments(parser)
    add_log_arguments(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    definitions = read_definitions(args)
    errors: dict[str | None, list[str]] = {}
    for problem in validate_definitions(definitions):
        errors.setdefault(problem.name, []).append(problem.reason)
    parser = LogParser(definitions, escape=not args.no_escape)
    sample: list[str] = []
    taken = [0]

    def keep_sample(text: str) -> None:
        if taken[0] < SAMPLE_CHARS:
            sample.append(text[:SAMPLE_CHARS - taken[0]])
            taken[0] += len(sample[-1])

    log = LogStream(args.logfile, args.max_bytes)
    for _ in log.results(parser, keep_sample):
        pass
    if log.note():
        errors.setdefault(None, []).append(log.note())
    warnings = lint_definitions(definitions, sample_text="".join(sample),
                                sample_is_escaped=args.no_escape)

    out = sys.stdout
    # Any error line fails the check, whichever definition (or none) it is about.
    failed = bool(errors)
    print(f"{args.logfile}: {parser.lines} lines, {len(definitions)} definitions", file=out)
    for reason in errors.get(None, []):
        print(f"  error: {reason}", file=out)
    if parser.cut_lines:
        print(f"  note: {cut_message(parser.cut_lines, parser.cut_chars)}", file=out)
    width = max((len(n) for n in parser.names), default=0)
    for definition, stats in zip(parser.definitions, parser.stats):
        mine = [w for w in warnings if w.name == definition.name]
        failed = _report(out, definition.name, stats, errors.get(definition.name, []), mine,
                         width) or failed
    return 1 if failed else 0


def _report(out, name: str, stats, errors: list[str], warnings, width: int) -> bool:
    """Print one definition's lines; True when it fails the check."""
    problems = list(errors)
    if stats.disabled and not problems:
        problems.append(stats.disabled)
    verdict = ""
    if problems:
        verdict = "  ERROR"
    elif stats.matches == 0:
        verdict = "  MATCHES NOTHING"
    elif stats.points == 0:
        # It matches, but SageMaker would publish nothing: as useless as no match.
        verdict = "  NO POINTS (every capture dropped)"
    print(f"{name:<{width}}  {stats.matches} matching lines, {stats.points} points{verdict}",
          file=out)
    for problem in problems:
        print(f"    error: {problem}", file=out)
    for reason, count in stats.dropped.items():
        example = stats.examples[reason]
        print(f"    dropped {count}: {DROP_REASONS[reason]} "
              f"(e.g. line {example.line}: {example.captured!r})", file=out)
    for warning in warnings:
        print(f"    {warning.severity} [{warning.code}] {warning.message}", file=out)
        if warning.suggestion:
            print(f"      suggested regex: {warning.suggestion}", file=out)
    return bool(verdict)
