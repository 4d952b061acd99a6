"""A SageMaker stand-in on moto: a real HTTP AWS endpoint with jobs that live and write.

moto's SageMaker creates every training job ``Completed`` with fixed metric definitions, and
knows no ``ListTrainingJobsForHyperParameterTuningJob``. The stand-in runs moto's
``ThreadedMotoServer`` on 127.0.0.1 and drives its backend objects the way a real job would
change them: statuses and secondary-status transitions over time, log lines written to one
CloudWatch Logs stream per instance (``<job>/algo-N-<epoch>``, control characters escaped as
``#011``), the metrics SageMaker would publish put to CloudWatch, and ``FinalMetricDataList``
float32-rounded at the end. Tuning jobs get children.

Used by the tests (fixture ``standin``), the demo and the browser tests::

    with StandIn() as aws:
        player = aws.play_job("demo-job", lines_per_host=120, interval=0.5)
        watch = Watch.for_job("demo-job", aws.metric_options())

``python -m metricwidgets.testing --port P --demo-jobs`` (:mod:`metricwidgets.testing.__main__`)
serves it until killed.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time

import numpy as np

from metricwidgets.core.parsing import escape_line
from metricwidgets.sources.aws import AWSOptions
from metricwidgets.testing.job_lines import (
    ACCOUNT,
    LOG_GROUP,
    NAMESPACE,
    SIMPLE_DEFINITIONS,
    XGBOOST_DEFINITIONS,
    training_lines,
)
from metricwidgets.testing.forget import forget_job_data
from metricwidgets.testing.moto_additions import (
    TUNING_CHILDREN,
    install_moto_additions,
    start_moto_server,
)
from metricwidgets.testing.players import JobPlayer, replace_play
from metricwidgets.testing.utilization_play import publish_utilization, utilization_sample

__all__ = ["JobPlayer", "StandIn"]

_PHASES = [("Starting", "Preparing the instances for training"),
           ("Downloading", "Downloading input data"),
           ("Training", "Training image download completed. Training in progress."),
           ("Uploading", "Uploading generated training model")]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class StandIn:
    """moto on 127.0.0.1 with SageMaker jobs that behave like real ones.

    Parameters
    ----------
    port : int, optional
        Default: a free port.
    region : str

    Attributes
    ----------
    endpoint_url, region : str
    options : AWSOptions
    env : dict of str to str
        ``METRICWIDGETS_*`` and dummy ``AWS_*`` variables pointing another process here.
    aws_kwargs : dict
        ``region`` and ``endpoint_url``, for the public functions:
        ``fetch_job_metrics(name, **aws.aws_kwargs)``.
    """

    def __init__(self, port: int | None = None, region: str = "us-east-1"):
        self.port = port or _free_port()
        self.region = region
        self.endpoint_url = f"http://127.0.0.1:{self.port}"
        self.options = AWSOptions(region=region, endpoint_url=self.endpoint_url)
        self.aws_kwargs = {"region": region, "endpoint_url": self.endpoint_url}
        self.env = {
            "METRICWIDGETS_REGION": region, "METRICWIDGETS_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": region,
        }
        self._server = None
        self._clients: dict[str, object] = {}
        self._players: list[JobPlayer] = []
        self._streams: dict[tuple[str, str], str] = {}
        self._created: set[str] = set()
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ server
    def start(self) -> StandIn:
        """Start (or restart, on the same port, with the state kept) the server."""
        install_moto_additions()
        # werkzeug logs every request to stderr; a test log or the demo drowns in it.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            os.environ.setdefault(key, "testing")
        self._server = start_moto_server(self.port)
        return self

    def stop(self, players: bool = True) -> None:
        """Stop the server (moto's state lives on in this process: :meth:`start` again
        serves the same jobs). ``players=True`` also stops the jobs being played."""
        if players:
            for player in list(self._players):
                player.stop()
        if self._server is not None:
            server = self._server
            self._server = None
            server.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    def reset(self) -> None:
        """Forget every job, log and metric (moto's reset)."""
        import urllib.request

        urllib.request.urlopen(urllib.request.Request(
            self.endpoint_url + "/moto-api/reset", method="POST"), timeout=10).read()
        TUNING_CHILDREN.clear()
        with self._lock:
            self._streams.clear()
            self._created.clear()

    def __enter__(self) -> StandIn:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def metric_options(self, metric_definitions=None, **keywords):
        """``MetricOptions.from_keywords(metric_definitions, **keywords)`` pointing here."""
        from metricwidgets.options import MetricOptions

        return MetricOptions.from_keywords(metric_definitions, **self.aws_kwargs, **keywords)

    def client(self, service: str):
        """A plain boto3 client on the stand-in (dummy credentials, no budget)."""
        with self._lock:
            if service not in self._clients:
                import boto3
                from botocore.config import Config

                # boto3 gzips PutMetricData bodies; some moto versions answer those with 500.
                config = Config(disable_request_compression=True,
                                retries={"mode": "standard", "max_attempts": 5})
                self._clients[service] = boto3.client(
                    service, region_name=self.region, endpoint_url=self.endpoint_url,
                    aws_access_key_id="testing", aws_secret_access_key="testing",
                    config=config)
            return self._clients[service]

    def sagemaker_backend(self):
        """moto's SageMaker backend of this stand-in's region (its jobs, to edit them)."""
        from moto.sagemaker.models import sagemaker_backends

        return sagemaker_backends[ACCOUNT][self.region]

    def training_job(self, name: str):
        """moto's backend object of a training job (to edit it)."""
        return self.sagemaker_backend().training_jobs[name]

    def forget_job(self, name: str, player: JobPlayer) -> JobPlayer:
        """Forget what an earlier play of job ``name`` left (its player stopped, its log
        streams, published metrics and utilization deleted), so that ``player``, the new
        play, starts from nothing; return it."""
        replace_play(self.region, name, player)
        self.forget_recorded(name)
        return player

    def forget_recorded(self, name: str) -> None:
        """Delete what job ``name`` wrote (log streams, metrics, utilization) and the stream
        names given to it: a job recorded again under the same name (a re-run cell)
        replaces the earlier recording instead of adding a second copy of every line."""
        forget_job_data(self.client("logs"), LOG_GROUP, ACCOUNT, self.region, name)
        with self._lock:
            for key in [k for k in self._streams if k[0] == name]:
                self._created.discard(self._streams.pop(key))

    # ------------------------------------------------------------------ jobs
    def create_job(self, name: str, metric_definitions=None, instance_count: int = 1,
                   status: str = "InProgress", secondary_status: str = "Starting",
                   started_seconds_ago: float = 0.0, hyperparameters=None,
                   instance_type: str = "ml.m5.xlarge"):
        """Create a training job that is ``InProgress`` (moto would make it Completed).

        Its definitions are ``metric_definitions`` (SageMaker's shape), its start time
        ``started_seconds_ago`` in the past; one created before under that name (a re-run
        cell) is replaced, its logs and metrics forgotten. Returns moto's job object."""
        if name in self.sagemaker_backend().training_jobs:
            self.forget_recorded(name)
        self.client("sagemaker").create_training_job(
            TrainingJobName=name,
            HyperParameters={k: str(v) for k, v in (hyperparameters or {}).items()},
            AlgorithmSpecification={"TrainingImage": "123.dkr.ecr.us-east-1.amazonaws.com/x:1",
                                    "TrainingInputMode": "File"},
            RoleArn=f"arn:aws:iam::{ACCOUNT}:role/SageMakerRole",
            OutputDataConfig={"S3OutputPath": "s3://bucket/output"},
            ResourceConfig={"InstanceType": instance_type, "InstanceCount": instance_count,
                            "VolumeSizeInGB": 10},
            StoppingCondition={"MaxRuntimeInSeconds": 86400})
        job = self.training_job(name)
        start = _now() - dt.timedelta(seconds=started_seconds_ago)
        job.algorithm_specification["MetricDefinitions"] = list(metric_definitions or [])
        job.creation_time = job.training_start_time = start
        job.training_end_time = None
        job.final_metric_data_list = []
        job.secondary_status_transitions = []
        job.training_job_status = status
        job.secondary_status = None
        job.failure_reason = None
        job.billable_time_in_seconds = None
        self.set_status(name, status, secondary_status)
        return job

    def set_status(self, name: str, status: str, secondary_status: str,
                   message: str | None = None) -> None:
        """Move a job on: close the open transition and open ``secondary_status``."""
        job = self.training_job(name)
        now = _now()
        transitions = job.secondary_status_transitions
        if transitions and "EndTime" not in transitions[-1]:
            transitions[-1]["EndTime"] = now
        if job.secondary_status != secondary_status:
            item = {"Status": secondary_status, "StartTime": now,
                    "StatusMessage": message or dict(_PHASES).get(secondary_status,
                                                                  secondary_status)}
            if status in ("Completed", "Failed", "Stopped"):
                item["EndTime"] = now
            transitions.append(item)
        job.training_job_status = status
        job.secondary_status = secondary_status
        job.last_modified_time = now

    def finish_job(self, name: str, status: str = "Completed", final_metrics=None,
                   failure_reason: str | None = None) -> None:
        """End a job: final metrics float32-rounded (as SageMaker reports them), end time,
        billable seconds, failure reason."""
        job = self.training_job(name)
        now = _now()
        job.final_metric_data_list = [
            {"MetricName": k, "Value": float(np.float32(v)), "Timestamp": now}
            for k, v in (final_metrics or {}).items()]
        job.training_end_time = now
        job.billable_time_in_seconds = max(1, int((now - job.training_start_time)
                                                  .total_seconds()))
        job.failure_reason = failure_reason
        secondary = {"Completed": "Completed", "Failed": "Failed"}.get(status, "Stopped")
        self.set_status(name, status, secondary, failure_reason)

    def write_logs(self, name: str, host: str, lines, timestamps=None,
                   stream_epoch: int | None = None) -> str:
        """Write raw lines to ``host``'s stream of job ``name`` (escaped like SageMaker);
        returns the stream name. ``timestamps``: seconds since the epoch (default now)."""
        logs = self.client("logs")
        stream = self.stream_name(name, host, stream_epoch)
        if stream not in self._created:
            _ensure_stream(logs, stream)
            self._created.add(stream)
        now = time.time()
        stamps = list(timestamps) if timestamps is not None else [now] * len(lines)
        events = [{"timestamp": int(t * 1000), "message": escape_line(line)}
                  for line, t in zip(lines, stamps)]
        # PutLogEvents takes at most 10,000 events a call.
        for start in range(0, len(events), 10000):
            logs.put_log_events(logGroupName=LOG_GROUP, logStreamName=stream,
                                logEvents=events[start:start + 10000])
        return stream

    def stream_name(self, name: str, host: str, stream_epoch: int | None = None) -> str:
        """SageMaker's stream name: ``<job>/<host>-<epoch seconds>`` (stable per host)."""
        with self._lock:
            key = (name, host)
            if key not in self._streams:
                self._streams[key] = f"{name}/{host}-{stream_epoch or int(time.time())}"
            return self._streams[key]

    def put_metrics(self, name: str, values: dict[str, list[tuple[float, float]]]) -> None:
        """Publish ``{metric: [(timestamp, value), ...]}`` as SageMaker does (namespace
        ``/aws/sagemaker/TrainingJobs``, dimension ``TrainingJobName``)."""
        data = [{"MetricName": metric, "Value": float(value),
                 "Timestamp": dt.datetime.fromtimestamp(stamp, dt.timezone.utc),
                 "Dimensions": [{"Name": "TrainingJobName", "Value": name}]}
                for metric, points in values.items() for stamp, value in points]
        for start in range(0, len(data), 1000):
            self.client("cloudwatch").put_metric_data(Namespace=NAMESPACE,
                                                      MetricData=data[start:start + 1000])

    def put_utilization(self, name: str, samples: list[tuple[float, float]],
                        instance_count: int, seed: int = 0) -> None:
        """Publish each instance's utilization at ``[(timestamp, progress)]`` as SageMaker
        does (see :mod:`metricwidgets.testing.utilization_play`)."""
        kind = self.training_job(name).resource_config["InstanceType"]
        for index in range(instance_count):
            rows = [(t, utilization_sample(kind, index, progress, seed))
                    for t, progress in samples]
            publish_utilization(self.client("cloudwatch"), name, f"algo-{index + 1}", rows)

    def play_job(self, name: str, lines_per_host: int = 60, interval: float = 0.5,
                 instance_count: int = 2, kind: str = "simple", metric_definitions=None,
                 fail_reason: str | None = None, phase_seconds: float = 0.0,
                 background: bool = True, seed: int = 0,
                 publish_metrics: bool = True, instance_type: str = "ml.m5.xlarge"
                 ) -> JobPlayer:
        """Play a job's life: InProgress/Starting -> Downloading -> Training (lines written
        every ``interval`` seconds to each instance's stream, metrics and each instance's
        utilization published) ->
        Uploading -> Completed, or Failed with ``fail_reason`` halfway through training.

        Returns a :class:`JobPlayer` (its thread runs the job unless ``background=False``).
        """
        if metric_definitions is None:
            metric_definitions = XGBOOST_DEFINITIONS if kind == "xgboost" else SIMPLE_DEFINITIONS
        player = self.forget_job(name, JobPlayer(name))  # a replay starts from nothing
        self.create_job(name, metric_definitions, instance_count=instance_count,
                        instance_type=instance_type)

        def run():
            try:
                self._play(player, lines_per_host, interval, instance_count, kind,
                           fail_reason, phase_seconds, seed, publish_metrics)
            except Exception as exc:  # reported by the player, not lost in a thread
                player.error = exc

        if background:
            player.thread = threading.Thread(target=run, name=f"standin-{name}", daemon=True)
            self._players.append(player)
            player.thread.start()
        else:  # on the caller's thread: errors and Ctrl-C reach the caller
            self._play(player, lines_per_host, interval, instance_count, kind, fail_reason,
                       phase_seconds, seed, publish_metrics)
        return player

    def _play(self, player, lines_per_host, interval, instance_count, kind, fail_reason,
              phase_seconds, seed, publish_metrics):
        name = player.name
        hosts = [f"algo-{i + 1}" for i in range(instance_count)]
        for phase in ("Downloading", "Training"):
            if player.stop_event.wait(phase_seconds):
                break
            self.set_status(name, "InProgress", phase)
        generators = [training_lines(kind, lines_per_host, seed, i) for i in range(len(hosts))]
        last: dict[str, float] = {}
        fail_at = lines_per_host // 2 if fail_reason else None
        for index in range(lines_per_host):
            if player.stop_event.is_set():
                self.finish_job(name, "Stopped", last)
                return
            if fail_at is not None and index == fail_at:
                for host in hosts:
                    self.write_logs(name, host, ["Traceback (most recent call last):",
                                                 f"RuntimeError: {fail_reason}"])
                self.finish_job(name, "Failed", last, failure_reason=fail_reason)
                return
            now = time.time()
            metrics: dict[str, list] = {}
            for host, gen in zip(hosts, generators):
                line, values = next(gen)
                self.write_logs(name, host, [line], [now])
                for metric, value in values.items():
                    metrics.setdefault(metric, []).append((now, value))
                    last[metric] = value
            if publish_metrics and metrics:
                self.put_metrics(name, metrics)
                self.put_utilization(name, [(now, index / lines_per_host)], len(hosts), seed)
            player.lines_written += len(hosts)
            if index + 1 < lines_per_host and player.stop_event.wait(interval):
                continue
        self.set_status(name, "InProgress", "Uploading")
        if not player.stop_event.wait(phase_seconds):
            self.finish_job(name, "Completed", last)
        else:
            self.finish_job(name, "Stopped", last)

    def write_finished_job(self, name: str, lines_per_host: int = 100,
                           instance_count: int = 2, kind: str = "simple",
                           metric_definitions=None, seconds: float = 600.0,
                           publish_metrics: bool = True, seed: int = 0,
                           instance_type: str = "ml.m5.xlarge") -> dict[str, list[str]]:
        """A job that ran in the past ``seconds`` and is Completed: every line at once,
        timestamps spread over its run, metrics and utilization published. Returns the raw
        lines by host."""
        if metric_definitions is None:
            metric_definitions = XGBOOST_DEFINITIONS if kind == "xgboost" else SIMPLE_DEFINITIONS
        self.create_job(name, metric_definitions, instance_count=instance_count,
                        started_seconds_ago=seconds + 60, instance_type=instance_type)
        self.set_status(name, "InProgress", "Training")
        start = time.time() - seconds
        starting, training = self.training_job(name).secondary_status_transitions[-2:]
        starting["EndTime"] = training["StartTime"] = _now() - dt.timedelta(seconds=seconds)
        written, last, metrics = {}, {}, {}
        for i in range(instance_count):
            host = f"algo-{i + 1}"
            rows = list(training_lines(kind, lines_per_host, seed, i))
            stamps = [start + seconds * k / max(lines_per_host, 1) for k in range(len(rows))]
            self.write_logs(name, host, [r[0] for r in rows], stamps,
                            stream_epoch=int(start))
            written[host] = [r[0] for r in rows]
            for (_line, values), stamp in zip(rows, stamps):
                for metric, value in values.items():
                    metrics.setdefault(metric, []).append((stamp, value))
                    last[metric] = value
        if publish_metrics:
            self.put_metrics(name, metrics)
            self.put_utilization(name, [(t, k / len(stamps)) for k, t in enumerate(stamps)],
                                 instance_count, seed)
        self.finish_job(name, "Completed", last)
        return written

    # ------------------------------------------------------------------ tuning jobs
    def create_tuning_job(self, name: str, children: list[str] | None = None,
                          objective: str = "validation:error", objective_type: str = "Minimize",
                          status: str = "InProgress"):
        """Create a tuning job (children added with :meth:`add_tuning_child`)."""
        self.client("sagemaker").create_hyper_parameter_tuning_job(
            HyperParameterTuningJobName=name,
            HyperParameterTuningJobConfig={
                "Strategy": "Bayesian",
                "HyperParameterTuningJobObjective": {"Type": objective_type,
                                                     "MetricName": objective},
                "ResourceLimits": {"MaxNumberOfTrainingJobs": 100,
                                   "MaxParallelTrainingJobs": 10}},
            TrainingJobDefinition={
                "AlgorithmSpecification": {"TrainingImage": "x:1", "TrainingInputMode": "File",
                                           "MetricDefinitions": SIMPLE_DEFINITIONS},
                "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/SageMakerRole",
                "OutputDataConfig": {"S3OutputPath": "s3://bucket/output"},
                "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1,
                                   "VolumeSizeInGB": 10},
                "StoppingCondition": {"MaxRuntimeInSeconds": 86400}})
        tuning = self.sagemaker_backend().hyper_parameter_tuning_jobs[name]
        tuning.hyper_parameter_tuning_job_status = status
        tuning.hyper_parameter_tuning_end_time = None
        tuning.best_training_job = None
        tuning.OverallBestTrainingJob = None
        TUNING_CHILDREN.setdefault((self.region, name), [])
        for child in children or []:
            self.add_tuning_child(name, child)
        return tuning

    def add_tuning_child(self, tuning_name: str, child: str, **create) -> None:
        """Launch a child training job of a tuning job (created unless it exists)."""
        if child not in self.sagemaker_backend().training_jobs:
            create.setdefault("metric_definitions", SIMPLE_DEFINITIONS)
            self.create_job(child, **create)
        TUNING_CHILDREN.setdefault((self.region, tuning_name), []).append(child)

    def finish_tuning_job(self, name: str, best_child: str, objective_value: float,
                          status: str = "Completed") -> None:
        tuning = self.sagemaker_backend().hyper_parameter_tuning_jobs[name]
        job = self.training_job(best_child)
        objective = tuning.hyper_parameter_tuning_job_config["HyperParameterTuningJobObjective"]
        tuning.best_training_job = {
            "TrainingJobName": best_child, "TrainingJobArn": job.arn,
            "CreationTime": job.creation_time, "TrainingJobStatus": job.training_job_status,
            "TunedHyperParameters": job.hyper_parameters or {},
            "FinalHyperParameterTuningJobObjectiveMetric": {
                "Type": objective["Type"], "MetricName": objective["MetricName"],
                "Value": float(np.float32(objective_value))}}
        tuning.hyper_parameter_tuning_job_status = status
        tuning.hyper_parameter_tuning_end_time = _now()


def _ensure_stream(logs, stream: str) -> None:
    try:
        logs.create_log_group(logGroupName=LOG_GROUP)
    except logs.exceptions.ResourceAlreadyExistsException:
        pass
    try:
        logs.create_log_stream(logGroupName=LOG_GROUP, logStreamName=stream)
    except logs.exceptions.ResourceAlreadyExistsException:
        pass
