"""What the stand-in adds to moto: ``ListTrainingJobsForHyperParameterTuningJob`` (and, through
:mod:`~metricwidgets.testing.moto_search` and :mod:`~metricwidgets.testing.moto_logs_scan`,
``Search`` and ``FilterLogEvents`` as AWS answers them, and through
:mod:`~metricwidgets.testing.moto_logs_insights` the Logs Insights queries a backfill sends).

moto's SageMaker knows tuning jobs but not the operation that lists their children, which
the tuning-job source pages through. :func:`install_moto_additions` teaches it to moto's
response class (once per process); :data:`TUNING_CHILDREN` is the state it answers from.
"""

from __future__ import annotations

__all__ = ["TUNING_CHILDREN", "install_moto_additions", "start_moto_server"]

#: (region, tuning job) -> child job names, in launch order.
TUNING_CHILDREN: dict[tuple[str, str], list[str]] = {}


_installed = False


def start_moto_server(port: int):
    """moto's threaded server on 127.0.0.1:``port``, started; its ``stop`` also closes the
    socket (moto's only shuts the server down), so that a stand-in restarted on the same
    port can bind it. moto's server is imported here, on first use (it is slow to import)."""
    from moto.server import ThreadedMotoServer

    class ClosingMotoServer(ThreadedMotoServer):
        def stop(self) -> None:
            server = self._server
            super().stop()
            if server is not None:
                server.server_close()

    server = ClosingMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return server


def install_moto_additions() -> None:
    """Teach moto ``ListTrainingJobsForHyperParameterTuningJob`` (it lacks it)."""
    global _installed
    if _installed:
        return
    from moto.core.responses import ActionResult
    from moto.sagemaker.responses import SageMakerResponse

    def list_training_jobs_for_hyper_parameter_tuning_job(self):
        name = self._get_param("HyperParameterTuningJobName")
        if name not in self.sagemaker_backend.hyper_parameter_tuning_jobs:
            from moto.sagemaker.exceptions import ValidationError

            raise ValidationError(message=f"Could not find tuning job '{name}'.")
        children = TUNING_CHILDREN.get((self.region, name), [])
        tuning = self.sagemaker_backend.hyper_parameter_tuning_jobs[name]
        objective = tuning.hyper_parameter_tuning_job_config["HyperParameterTuningJobObjective"]
        max_results = int(self._get_param("MaxResults") or 50)
        start = int(self._get_param("NextToken") or 0)
        page = children[start:start + max_results]
        summaries = []
        for child in page:
            job = self.sagemaker_backend.training_jobs.get(child)
            if job is None:
                continue
            summary = {"TrainingJobName": child, "TrainingJobArn": job.arn,
                       "CreationTime": job.creation_time,
                       "TrainingJobStatus": job.training_job_status,
                       "TunedHyperParameters": job.hyper_parameters or {}}
            final = {m["MetricName"]: m["Value"] for m in job.final_metric_data_list or []}
            # SageMaker reports the child's value of the tuning job's objective metric.
            if objective["MetricName"] in final:
                summary["FinalHyperParameterTuningJobObjectiveMetric"] = {
                    "Type": objective["Type"], "MetricName": objective["MetricName"],
                    "Value": final[objective["MetricName"]]}
            summaries.append(summary)
        result = {"TrainingJobSummaries": summaries}
        if start + max_results < len(children):
            result["NextToken"] = str(start + max_results)
        return ActionResult(result)

    SageMakerResponse.list_training_jobs_for_hyper_parameter_tuning_job = \
        list_training_jobs_for_hyper_parameter_tuning_job
    from metricwidgets.testing.moto_search import install_search

    install_search()  # Search over training jobs with SageMaker's paging, sorting, operators
    from metricwidgets.testing.moto_stop import install_stop

    install_stop()  # StopTrainingJob: InProgress -> Stopping -> Stopped
    from metricwidgets.testing.moto_logs_scan import install_logs_scan

    install_logs_scan()  # FilterLogEvents with stream prefixes and regex patterns
    from metricwidgets.testing.moto_logs_insights import install_logs_insights

    install_logs_insights()  # Logs Insights: filter @logStream/@message like, row cap, stats
    _installed = True
