"""``metricwidgets jobs``: a summary of many training jobs, one row each, in a few calls."""

from __future__ import annotations

import sys

from metricwidgets.options import MetricOptions, add_option_arguments

__all__ = ["register"]


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "jobs", help="list training jobs with their hyperparameters and final metrics",
        description="Print one row per SageMaker training job, newest first: name, status, "
                    "created (UTC), duration_s, billable_s, one hp:<name> column per "
                    "hyperparameter and one final:<metric> column per final metric. Read "
                    "through SageMaker's Search API (100 jobs per call).")
    parser.add_argument("--name-contains", metavar="TEXT")
    parser.add_argument("--status", metavar="STATUS",
                        help="InProgress, Completed, Failed, Stopping or Stopped")
    parser.add_argument("--since", metavar="ISO-DATE|AGE",
                        help="jobs created at or after this: 2026-05-01, 2026-05-01T12:00Z, "
                             "or an age such as 12h, 7d, 2w")
    parser.add_argument("--limit", metavar="N", help="at most N jobs, the newest")
    add_option_arguments(parser, "region", "profile", "endpoint_url")
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table")
    parser.set_defaults(func=run)


def run(args) -> int:
    from metricwidgets.cli.output import write_frame
    from metricwidgets.api import list_jobs

    frame = list_jobs(args.name_contains, args.status, args.since, args.limit,
                      options=MetricOptions.from_arguments(args))
    frame = frame.copy()
    frame["created"] = frame["created"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    if args.format in ("csv", "json"):
        write_frame(frame, args.format)
    elif frame.empty:
        sys.stdout.write("  ".join(frame.columns) + "\n")
    else:
        sys.stdout.write(frame.to_string(index=False, na_rep="-") + "\n")
    return 0
