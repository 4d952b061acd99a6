"""SageMaker's ``Search`` over training jobs as SageMaker answers it, for the stand-in.

moto 5's ``Search`` returns every match in one page (it ignores ``MaxResults`` and
``NextToken``), ignores ``SortBy``, and evaluates every operator but ``Contains`` and
``NotEquals`` as ``Equals`` (so ``CreationTime GreaterThanOrEqualTo`` finds nothing). The
stand-in answers ``Resource="TrainingJob"`` here instead, the way SageMaker's API reference
describes it: filters with their operators, sorted (``CreationTime`` descending by default
here), pages of ``MaxResults`` (at most 100, 10 by default) with a ``NextToken``.
Other resources go to moto unchanged.

:func:`add_jobs` fills moto's backend with many finished jobs at once (hyperparameters, final
metrics, times), for the tests and the benchmark of many-job listings: creating 1,000 jobs
through HTTP would take minutes.
"""

from __future__ import annotations

import copy
import datetime as dt
import operator

__all__ = ["add_jobs", "install_search"]

_OPERATORS = {
    "Equals": operator.eq, "NotEquals": operator.ne,
    "GreaterThan": operator.gt, "GreaterThanOrEqualTo": operator.ge,
    "LessThan": operator.lt, "LessThanOrEqualTo": operator.le,
    "Contains": lambda actual, expected: expected in actual,
}
#: Search property -> moto's attribute of a training job.
_PROPERTIES = {"TrainingJobName": "training_job_name", "TrainingJobStatus": "training_job_status",
               "CreationTime": "creation_time", "LastModifiedTime": "last_modified_time",
               "TrainingEndTime": "training_end_time"}
_TIMES = {"CreationTime", "LastModifiedTime", "TrainingEndTime"}


def _utc(value) -> dt.datetime:
    if isinstance(value, (int, float)):
        return dt.datetime.fromtimestamp(value, dt.timezone.utc)
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def _matches(job, filters) -> bool:
    from moto.sagemaker.exceptions import ValidationError

    for item in filters:
        name, op = item["Name"], item.get("Operator", "Equals")
        if name not in _PROPERTIES or op not in _OPERATORS:
            raise ValidationError(message=f"Unsupported filter: {name} {op}")
        actual, expected = getattr(job, _PROPERTIES[name]), item["Value"]
        if name in _TIMES:
            if actual is None:
                return False
            actual, expected = _utc(actual), _utc(expected)
        if not _OPERATORS[op](actual, expected):
            return False
    return True


def _search_training_jobs(backend, params) -> dict:
    filters = (params.get("SearchExpression") or {}).get("Filters") or []
    jobs = [job for job in backend.training_jobs.values() if _matches(job, filters)]
    sort_by = params.get("SortBy") or "CreationTime"
    key = _PROPERTIES.get(sort_by, "creation_time")
    jobs.sort(key=lambda job: (_utc(getattr(job, key)) if sort_by in _TIMES
                               else getattr(job, key)),
              reverse=(params.get("SortOrder") or "Descending") == "Descending")
    size = min(int(params.get("MaxResults") or 10), 100)
    start = int(params.get("NextToken") or 0)
    result = {"Results": [{"TrainingJob": job.gen_response_object()}
                          for job in jobs[start:start + size]]}
    if start + size < len(jobs):
        result["NextToken"] = str(start + size)
    return result


def add_jobs(standin, jobs) -> None:
    """Add finished training jobs to ``standin``'s moto backend directly.

    Parameters
    ----------
    standin : metricwidgets.testing.StandIn
    jobs : iterable of dict
        Each with ``name``, ``status``, ``created`` (a UTC datetime), ``duration_s``,
        ``billable_s``, ``hyperparameters`` (str -> str) and ``final`` (metric -> float).
        The first job is created through the API; the others are copies of it (as moto's
        own ``create_training_job`` builds them), with these fields set.
    """
    jobs = list(jobs)
    if not jobs:
        return
    template = standin.create_job(jobs[0]["name"])
    backend = standin.sagemaker_backend()
    for spec in jobs:
        job = template if spec["name"] == template.training_job_name else copy.deepcopy(template)
        job.training_job_name = spec["name"]
        for attribute in ("arn", "training_job_arn"):
            if hasattr(template, attribute):
                setattr(job, attribute, getattr(template, attribute).replace(
                    template.training_job_name, spec["name"]))
        job.hyper_parameters = dict(spec["hyperparameters"])
        job.creation_time = job.training_start_time = spec["created"]
        job.training_end_time = spec["created"] + dt.timedelta(seconds=spec["duration_s"])
        job.last_modified_time = job.training_end_time
        job.billable_time_in_seconds = spec["billable_s"]
        job.training_job_status = job.secondary_status = spec["status"]
        job.final_metric_data_list = [
            {"MetricName": k, "Value": v, "Timestamp": job.training_end_time}
            for k, v in spec["final"].items()]
        backend.training_jobs[spec["name"]] = job


_installed = False


def install_search() -> None:
    """Answer ``Search(Resource="TrainingJob")`` as SageMaker does (idempotent)."""
    global _installed
    from moto.core.responses import ActionResult
    from moto.sagemaker.responses import SageMakerResponse

    if _installed:
        return
    original = SageMakerResponse.search

    def search(self):
        if self._get_param("Resource") != "TrainingJob":
            return original(self)
        params = {name: self._get_param(name) for name in (
            "SearchExpression", "SortBy", "SortOrder", "MaxResults", "NextToken")}
        return ActionResult(_search_training_jobs(self.sagemaker_backend, params))

    SageMakerResponse.search = search
    _installed = True
