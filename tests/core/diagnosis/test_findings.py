"""One list of findings from every producer: merged once each, errors first, labelled."""

from __future__ import annotations

import math

from metricwidgets.core.diagnosis import Finding, labelled, merge_findings


def finding(kind, metric, severity="warning", job="job-1", host="algo-1", text=None):
    return Finding(kind, metric, math.nan, 1.0, text or f"{kind} of {metric}", severity,
                   job=job, host=host)


def test_merged_errors_first_and_each_finding_once_as_the_data_grows():
    over = finding("overfitting", "validation:loss")
    nan = finding("nonfinite", "train:loss", "error")
    idle = finding("idle-gpu", "GPUUtilization", text="the GPU sat mostly idle (20 %)")
    idle_again = finding("idle-gpu", "GPUUtilization", text="the GPU sat mostly idle (18 %)")
    merged = merge_findings([idle_again, over], [nan, idle])
    assert merged == [nan, idle_again, over]
    assert merged[1].text.endswith("(18 %)")  # the newest said wins
    other_host = finding("idle-gpu", "GPUUtilization", host="algo-2")
    assert len(merge_findings([idle, other_host])) == 2


def test_labels_name_the_host_of_instance_findings_and_the_job_when_several():
    over = finding("overfitting", "validation:loss")
    idle = finding("idle-gpu", "GPUUtilization", host="algo-2")
    assert [who for who, _ in labelled([over, idle], jobs={"job-1"}, hosts={"algo-1"})] == \
        ["", "algo-2"]
    assert [who for who, _ in labelled([over, idle], {"job-1"}, {"algo-1", "algo-2"})] == \
        ["algo-1", "algo-2"]
    # A tuning job's children: the job is named even when only one of them has findings.
    assert [who for who, _ in labelled([over, idle], {"job-1", "job-2"}, {"algo-1"})] == \
        ["job-1", "job-1 / algo-2"]
