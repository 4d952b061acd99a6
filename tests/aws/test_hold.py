"""A SageMaker job past the hold: changed definitions read CloudWatch Logs again from the head.

Through boto3 against the moto stand-in, two instances; the watch holds at most 1 KB of text
(``session.hold_limit``), so every change of definitions must re-read the streams.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from metricwidgets.core.store import SeriesKey
from metricwidgets.polling.watch import Watch
from metricwidgets.options import MetricOptions

pytestmark = pytest.mark.aws

LOSS = {"Name": "loss", "Regex": r"loss=([0-9.]+)"}
ACC = {"Name": "acc", "Regex": r"acc=([0-9.]+)"}
HOSTS = ("algo-1", "algo-2")


def _write(standin, job, start, stop):
    base = time.time() - 3600
    for host in HOSTS:
        standin.write_logs(job, host, [f"epoch={i} loss={i / 1000:.3f} acc={i / 100:.2f}"
                                       for i in range(start, stop)],
                           timestamps=[base + i for i in range(start, stop)])


def test_a_job_past_the_hold_is_read_again_from_the_head(standin, job_name, calls):
    standin.create_job(job_name, instance_count=2, secondary_status="Training")
    _write(standin, job_name, 1, 201)
    watch = Watch.for_job(job_name, MetricOptions.from_keywords([LOSS], **calls.aws), start=False)
    watch.session.hold_limit = 1000
    try:
        watch.poll_once()
        assert not watch.session.holding
        _write(standin, job_name, 201, 251)
        watch.poll_once()
        watch.set_definitions([LOSS, ACC])
        _write(standin, job_name, 251, 301)
        watch.poll_once()
        assert watch.last_error is None
        expected = np.arange(1, 301)
        for host in HOSTS:
            for metric, scale in (("loss", 1000), ("acc", 100)):
                snap = watch.store.snapshot(SeriesKey(job_name, host, metric))
                assert list(snap.line) == list(expected), (host, metric)
                np.testing.assert_allclose(snap.value, expected / scale)
        assert not [m for m in watch.messages if "cannot be read again" in m.text]
    finally:
        watch.close()
