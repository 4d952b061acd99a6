"""``metricwidgets diagnose``: a log's or a job's findings, as text or JSON; exit 1 on an error.

``metricwidgets diagnose LOGFILE --definitions DEFS.json`` parses the file as ``parse`` does
(streamed in chunks); ``metricwidgets diagnose --job NAME`` fetches the job's metrics as
``fetch`` does, and its instances' utilization as ``fetch --source system`` does
(:func:`metricwidgets.api.fetch_job_findings`). Both hand the points to
:func:`metricwidgets.core.diagnosis.diagnose_series`, the function the chart uses, so the
two never disagree; a job's utilization findings (idle GPU, memory or disk nearly full) are
the plot's too, severity ``warning``. The exit status is 1 when a finding
has severity ``error`` (divergence, NaN/Inf), so a pipeline can gate on it; 2 for bad input.
"""

from __future__ import annotations

import math
import sys

import numpy as np

from metricwidgets.cli.parse import (
    LogStream,
    add_definition_arguments,
    add_log_arguments,
    drop_report,
    refuse_bad_step,
    usable_definitions,
)
from metricwidgets.errors import InputError
from metricwidgets.options import MetricOptions, add_option_arguments

__all__ = ["register", "run"]

#: The keys of each finding in ``--format json``.
JSON_KEYS = ("kind", "metric", "host", "step", "value", "text", "severity")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "diagnose", help="find overfitting, divergence, NaN/Inf and plateaus in a log or a job",
        description="Diagnose the metrics of LOGFILE (parsed with the definitions given) or of "
                    "the SageMaker training job --job NAME: overfitting, divergence, NaN/Inf "
                    "values and plateaus, each with the step where it began; for a job, also "
                    "its instances' utilization (an idle GPU, memory or disk nearly full: "
                    "warnings). Exit status 1 when a finding is an error (divergence, "
                    "NaN/Inf).")
    parser.add_argument("logfile", metavar="LOGFILE", nargs="?")
    add_definition_arguments(parser, required=False)
    parser.add_argument("--job", metavar="NAME", help="a SageMaker training job instead of a file")
    add_option_arguments(parser, "step", "source", "region", "profile", "endpoint_url",
                         overrides={
        "step": {"help": "a regex whose capture is the step (epoch, iteration) of each point"},
        "source": {"help": "with --job: logs (parse its CloudWatch Logs, the default), "
                           "metrics (what SageMaker published) or system (only the "
                           "instances' utilization)"}})
    add_log_arguments(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(func=run)


def _log_series(args) -> dict:
    """The file's series: metric -> SeriesData (steps: the --step capture, else each point's
    index in its series)."""
    from metricwidgets.core.diagnosis import SeriesData
    from metricwidgets.core.parsing import LogParser
    from metricwidgets.core.parsing import ParseResult

    definitions = usable_definitions(args)
    refuse_bad_step(args.step)
    parser = LogParser(definitions, escape=not args.no_escape, step_definition=args.step)
    log = LogStream(args.logfile, args.max_bytes)
    result = ParseResult.concat(list(log.results(parser)))
    # What parse says on stderr, diagnose says too: findings on a partial read are partial.
    for line in drop_report(parser) + [n for n in [log.note()] if n]:
        print(f"metricwidgets diagnose: {line}", file=sys.stderr)
    args.truncated = log.truncated
    series = {}
    for index, name in enumerate(parser.names):
        mine = result.metric == index
        line, value = result.line[mine], result.value[mine]
        step = result.step[mine] if args.step else np.arange(len(value), dtype=np.float64)
        nonfinite = [(_drop_step(drop, line, step, bool(args.step)), drop.line,
                      "nan" if math.isnan(drop.value) else ("+inf" if drop.value > 0 else "-inf"))
                     for drop in result.drops if drop.metric == index]
        if len(value) or nonfinite:
            series[name] = SeriesData(step, value, nonfinite)
    return series


def _drop_step(drop, line, step, stepped: bool) -> float:
    """Where a NaN/Inf capture goes: its own step with --step, else the index it would have
    had in its series (one after the last point logged before it)."""
    if stepped and not math.isnan(drop.step):
        return float(drop.step)
    before = int(np.searchsorted(line, drop.line, side="right"))
    if stepped:
        return float(step[before - 1]) if before else math.nan
    return float(before)


def _findings(args):
    from metricwidgets.core.diagnosis import diagnose_series

    if args.job:
        from metricwidgets.api import fetch_job_findings

        usable_definitions(args)
        return fetch_job_findings(args.job, options=MetricOptions.from_arguments(args))
    if not args.logfile:
        raise InputError("give a LOGFILE (with --definitions or --definition) or --job NAME")
    if not (args.definitions or args.definition):
        raise InputError("a LOGFILE needs --definitions DEFS.json or --definition NAME=REGEX")
    return diagnose_series({("", ""): _log_series(args)})


def run(args) -> int:
    from metricwidgets.core.diagnosis import has_errors

    findings = _findings(args)
    if args.format == "json":
        from metricwidgets.cli.output import json_number, write_json_rows

        # A step that is NaN is unknown (null); so is a NaN/Inf finding's value (its text
        # says which it was); any other non-finite value is written as what it is ("NaN").
        write_json_rows([{**{k: f.to_dict()[k] for k in JSON_KEYS},
                          "step": json_number(f.step, missing=True),
                          "value": json_number(f.value, missing=f.kind == "nonfinite")}
                         for f in findings], indent=1)
    elif not findings:
        instances = "; no idle GPU, memory or disk nearly full" if args.job else ""
        print(f"no findings: no overfitting, divergence, NaN/Inf or plateau{instances}")
    else:
        for f in findings:
            where = f" [{f.host}]" if f.host else ""
            print(f"{f.severity}{where}: {f.text}")
    sys.stdout.flush()
    return 1 if has_errors(findings) or getattr(args, "truncated", False) else 0
