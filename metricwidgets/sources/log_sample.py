"""A sample of a job's log for the regex playground: the first and last lines of each host.

Metrics usually show in the first epochs and the last ones; the middle adds little to
testing a regex and costs reads. The lines come back as CloudWatch stores them (escaped).
"""

from __future__ import annotations

from metricwidgets.sources.aws import AWSOptions
from metricwidgets.sources.cloudwatch_logs import CloudWatchLogsSource, host_from_stream

__all__ = ["read_job_log_sample"]


def read_job_log_sample(job_name: str, options: AWSOptions, first: int = 200,
                        last: int = 200) -> dict[str, list[str]]:
    """Return ``{host: lines}``: the first ``first`` and the last ``last`` lines of every
    host's log (all of them when the log is shorter). An empty dict when the job has not
    written yet.

    Raises
    ------
    AWSError
        Missing credentials, no permission, AWS unreachable.
    """
    source = CloudWatchLogsSource(job_name, options, max_pages=1)
    source.list_streams()
    sample: dict[str, list[str]] = {}
    for stream in source.streams:
        # Ask for first+last lines from the head: fewer back means the log is that short and
        # this is all of it; otherwise the tail is the newest page (startFromHead=False),
        # and head and tail cannot overlap. Two reads per host, whatever the log's length.
        head = _messages(source.client.get_log_events(
            logGroupName=source.group, logStreamName=stream, startFromHead=True,
            limit=min(max(first + last, 1), 10000)))
        if len(head) < first + last or not last:
            sample[host_from_stream(job_name, stream)] = (
                head if len(head) < first + last else head[:first])
            continue
        tail = _messages(source.client.get_log_events(
            logGroupName=source.group, logStreamName=stream, startFromHead=False,
            limit=min(last, 10000)))
        sample[host_from_stream(job_name, stream)] = head[:first] + tail[-last:]
    return sample


def _messages(page: dict) -> list[str]:
    return [event["message"].rstrip("\n") for event in page.get("events", [])]
