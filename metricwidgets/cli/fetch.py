"""``metricwidgets fetch JOB``: a job's metric points as CSV or JSON on stdout.

``metricwidgets fetch --name-contains TEXT --definition NAME=REGEX``: the same definitions over
many jobs' logs at once (:func:`metricwidgets.fetch_jobs_metrics`: the scan pushed down to
CloudWatch where sound), one ``job`` column first.
"""

from __future__ import annotations

import sys
import warnings

from metricwidgets.errors import InputError
from metricwidgets.options import add_option_arguments

__all__ = ["register"]


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "fetch", help="fetch a training job's metrics (from its logs or CloudWatch)",
        description="Print every metric point of a SageMaker training job. With --source logs "
                    "(the default) the job's CloudWatch Logs are parsed with its metric "
                    "definitions plus --definitions; --source metrics gives what SageMaker "
                    "published to CloudWatch (one average a minute); --source system the "
                    "instance utilization per host (timestamp,host,metric,value; CPU and GPU "
                    "summed over devices, as SageMaker reports them). With --name-contains "
                    "(and no JOB_NAME), the definitions are parsed over the logs of every job "
                    "whose name contains TEXT (columns job,timestamp,host,metric,value,step); "
                    "CloudWatch Logs sends only the lines that may match when every regex has "
                    "literal text every match contains.")
    parser.add_argument("job", metavar="JOB_NAME", nargs="?")
    parser.add_argument("--name-contains", metavar="TEXT",
                        help="backfill: every job whose name contains TEXT")
    parser.add_argument("--since", metavar="ISO-DATE|AGE",
                        help="backfill: jobs created at or after this (2026-05-01, 7d)")
    parser.add_argument("--status", metavar="STATUS", help="backfill: jobs in this status")
    parser.add_argument("--scan", choices=("auto", "insights", "filter"), default="auto",
                        help="backfill: read candidate lines with Logs Insights queries over "
                             "many jobs at once (billed per GB scanned), FilterLogEvents job "
                             "by job, or auto (Insights from 20 jobs on)")
    add_option_arguments(parser, "source", "step", "definitions", "definition", "region",
                         "profile", "endpoint_url", overrides={"definitions": {
                             "metavar": "DEFS.json",
                             "help": "extra definitions, SageMaker's shape: "
                                     '[{"Name": ..., "Regex": ...}]'}})
    parser.add_argument("--format", choices=("csv", "json"), default="csv")
    parser.set_defaults(func=run)


def _many(args, options):
    from metricwidgets.api import fetch_jobs_metrics

    if args.source not in (None, "logs"):
        raise InputError("--name-contains reads logs: --source must be logs")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = fetch_jobs_metrics(name_contains=args.name_contains, since=args.since,
                                   status=args.status, options=options, scan=args.scan)
    for warning in caught:
        print(f"metricwidgets fetch: {warning.message}", file=sys.stderr)
    return frame


def run(args) -> int:
    from metricwidgets.api import fetch_job_metrics
    from metricwidgets.cli.output import write_frame
    from metricwidgets.cli.parse import usable_definitions
    from metricwidgets.options import MetricOptions

    usable_definitions(args)
    options = MetricOptions.from_arguments(args)
    if args.job is None:
        if args.name_contains is None:
            raise InputError("give a JOB_NAME, or --name-contains TEXT for many jobs")
        frame = _many(args, options)
    elif args.name_contains is not None:
        raise InputError("give a JOB_NAME or --name-contains, not both")
    elif args.scan != "auto":
        raise InputError("--scan is for a backfill over many jobs (--name-contains)")
    else:
        frame = fetch_job_metrics(args.job, options=options)
    frame = frame.copy()
    frame["timestamp"] = frame["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    write_frame(frame, args.format, value_columns=("value",))
    return 0
