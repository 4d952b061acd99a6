"""``metricwidgets fetch JOB``: a job's metric points as CSV or JSON on stdout."""

from __future__ import annotations

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
                    "summed over devices, as SageMaker reports them).")
    parser.add_argument("job", metavar="JOB_NAME")
    add_option_arguments(parser, "source", "step", "definitions", "definition", "region",
                         "profile", "endpoint_url", overrides={"definitions": {
                             "metavar": "DEFS.json",
                             "help": "extra definitions, SageMaker's shape: "
                                     '[{"Name": ..., "Regex": ...}]'}})
    parser.add_argument("--format", choices=("csv", "json"), default="csv")
    parser.set_defaults(func=run)


def run(args) -> int:
    from metricwidgets.cli.output import write_frame
    from metricwidgets.api import fetch_job_metrics
    from metricwidgets.options import MetricOptions

    frame = fetch_job_metrics(args.job, options=MetricOptions.from_arguments(args))
    frame = frame.copy()
    frame["timestamp"] = frame["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    write_frame(frame, args.format)
    return 0
