"""The operations read through boto3's paginators still pass the call budget, page by page.

The budget hooks botocore's ``before-send``; a paginator's pages are ordinary calls of the
same client, so each page waits for the budget like any other call (and ``calls`` records
each page as it leaves).
"""

from __future__ import annotations

import pytest

from metricwidgets.sources.aws import AWSOptions
from metricwidgets.sources.budget import default_budget
from metricwidgets.sources.catalog import Catalog
from metricwidgets.sources.tuning_job import TuningJobSource

pytestmark = pytest.mark.aws

OPERATION = "ListTrainingJobsForHyperParameterTuningJob"


def _tuning_job(standin, name: str, children: int) -> list[str]:
    standin.create_tuning_job(name)
    names = [f"{name}-{k:03d}" for k in range(children)]
    for child in names:
        standin.add_tuning_child(name, child)
    return names


def test_a_tuning_jobs_children_are_listed_page_by_page_within_the_budget(
        standin, job_name, calls):
    tuning = job_name[:24]
    names = _tuning_job(standin, tuning, 250)  # 3 pages of at most 100
    source = TuningJobSource(tuning, options=AWSOptions(**calls.aws))
    source.poll()
    assert source.children == names
    times = calls.times(OPERATION)
    assert len(times) == 3
    # 2 calls a second: the third page left a second after the first, held by the budget.
    rate = default_budget().rates[("sagemaker", OPERATION)]
    assert rate == 2
    assert times[2] - times[0] >= 1.0 - 0.01


def test_the_catalog_stops_after_max_children_newest_first(standin, job_name, calls):
    tuning = job_name[:24]
    _tuning_job(standin, tuning, 130)
    catalog = Catalog(AWSOptions(**calls.aws))
    described = catalog.describe_tuning_job(tuning, max_children=120)
    assert len(described["children"]) == 120
    assert calls.count(OPERATION) == 2  # 100 + 20
