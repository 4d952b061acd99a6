"""``metricwidgets fetch JOB``: a job's metric points as CSV or JSON on stdout."""

from __future__ import annotations

__all__ = ["register"]


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "fetch", help="fetch a training job's metrics (from its logs or CloudWatch)",
        description="Print every metric point of a SageMaker training job. With --source logs "
                    "(the default) the job's CloudWatch Logs are parsed with its metric "
                    "definitions plus --definitions; --source metrics gives what SageMaker "
                    "published to CloudWatch (one average a minute); --source system the "
                    "instance utilization per host (timestamp,host,metric,value; CPU and GPU "
                    "summed over devices, as SageMaker reports them).")
    parser.add_argument("job", metavar="JOB_NAME")
    parser.add_argument("--source", choices=("logs", "metrics", "system"), default="logs")
    parser.add_argument("--definitions", metavar="DEFS.json",
                        help='extra definitions, SageMaker\'s shape: [{"Name": ..., "Regex": ...}]')
    parser.add_argument("--region")
    parser.add_argument("--profile")
    parser.add_argument("--endpoint-url")
    parser.add_argument("--format", choices=("csv", "json"), default="csv")
    parser.set_defaults(func=run)


def run(args) -> int:
    from metricwidgets.cli.output import write_frame
    from metricwidgets.core.definitions import load_definitions
    from metricwidgets.fetch import fetch_job_metrics

    definitions = None
    if args.definitions:
        import os

        definitions = load_definitions(os.fspath(args.definitions) if os.path.exists(
            args.definitions) else args.definitions)
    frame = fetch_job_metrics(args.job, source=args.source, metric_definitions=definitions,
                              region=args.region, profile=args.profile,
                              endpoint_url=args.endpoint_url)
    frame = frame.copy()
    frame["timestamp"] = frame["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    write_frame(frame, args.format)
    return 0
