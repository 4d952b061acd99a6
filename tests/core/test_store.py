"""MetricStore: columnar series per (source, host, metric), de-duplicated, exported."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from metricwidgets.core.parsing import MetricDefinition as M
from metricwidgets.core.parsing import LogParser
from metricwidgets.core.store import MetricStore, SeriesKey

NAMES = ["loss", "acc"]


def _parsed(text):
    parser = LogParser([M("loss", r"loss=(\S+)"), M("acc", r"acc=(\S+)")])
    return parser, parser.feed(text, timestamp=1_700_000_000.0)


def test_a_parse_result_goes_to_one_series_per_metric_with_index_steps():
    store = MetricStore()
    _, result = _parsed("loss=1 acc=0.5\nloss=0.5\nacc=0.7\n")
    assert store.add_result("job", "algo-1", NAMES, result) == 4
    loss = store.snapshot(SeriesKey("job", "algo-1", "loss"))
    assert loss.value.tolist() == [1.0, 0.5]
    assert loss.step.tolist() == [0.0, 1.0]
    assert loss.line.tolist() == [1, 2]
    assert store.snapshot(SeriesKey("job", "algo-1", "acc")).line.tolist() == [1, 3]
    assert store.metrics() == ["loss", "acc"]


def test_redelivered_log_events_are_not_added_twice():
    store = MetricStore()
    _, result = _parsed("loss=1\nloss=2\n")
    store.add_result("job", "algo-1", NAMES, result)
    version = store.version
    assert store.add_result("job", "algo-1", NAMES, result) == 0
    assert len(store) == 2 and store.version == version


def test_cloudwatch_points_are_deduplicated_on_their_timestamp():
    store = MetricStore()
    key = SeriesKey("job", "algo-1", "train:loss")
    assert store.add_points(key, [np.nan, np.nan], [60.0, 120.0], [1.0, 0.9]) == 2
    assert store.add_points(key, [np.nan, np.nan], [120.0, 180.0], [0.9, 0.8]) == 1
    assert store.snapshot(key).timestamp.tolist() == [60.0, 120.0, 180.0]


def test_hosts_are_separate_series():
    store = MetricStore()
    _, result = _parsed("loss=1\n")
    store.add_result("job", "algo-1", NAMES, result)
    store.add_result("job", "algo-2", NAMES, result)
    assert [k.host for k in store.keys()] == ["algo-1", "algo-2"]


def test_nan_marks_are_kept_with_their_series():
    store = MetricStore()
    _, result = _parsed("loss=1\nloss=nan\n")
    store.add_result("job", "algo-1", NAMES, result)
    (mark,) = store.snapshot(SeriesKey("job", "algo-1", "loss")).marks
    assert mark.line == 2 and mark.reason == "nan"


def test_appending_many_points_keeps_earlier_snapshots_valid():
    store = MetricStore()
    key = SeriesKey("s", "h", "m")
    store.add_points(key, [0.0], [1.0], [5.0], line=[1])
    early = store.snapshot(key)
    for k in range(2, 2000):
        store.add_points(key, [float(k)], [float(k)], [float(k)], line=[k])
    assert early.value.tolist() == [5.0]
    assert len(store.snapshot(key)) == 1999
    with pytest.raises(ValueError):
        early.value[0] = 1.0  # snapshots are read-only


def test_concurrent_appends_lose_nothing():
    store = MetricStore()

    def writer(host):
        for k in range(500):
            store.add_points(SeriesKey("s", host, "m"), [float(k)], [float(k)], [1.0], line=[k + 1])

    threads = [threading.Thread(target=writer, args=(f"algo-{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(store) == 2000


def test_dataframe_and_csv_exports_hold_every_point():
    store = MetricStore()
    _, result = _parsed("loss=1 acc=0.5\nloss=0.5\n")
    store.add_result("job", "algo-1", NAMES, result)
    frame = store.to_dataframe()
    assert list(frame.columns) == ["timestamp", "source", "host", "metric", "value", "step", "line"]
    assert frame.value.tolist() == [1.0, 0.5, 0.5]
    csv = store.to_csv()
    assert csv.splitlines()[1].startswith("2023-11-14T22:13:20.000000Z,job,algo-1,loss,1.0")


def test_an_empty_store_exports_an_empty_frame_with_the_columns():
    frame = MetricStore().to_dataframe()
    assert len(frame) == 0 and "metric" in frame.columns


# --------------------------------------------------------------------------- x-range query
def _series(step, timestamp=None, value=None):
    store = MetricStore()
    key = SeriesKey("job", "algo-1", "loss")
    step = np.asarray(step, np.float64)
    timestamp = step + 1000.0 if timestamp is None else np.asarray(timestamp, np.float64)
    # Numbered lines: points parsed from a log, whose times may repeat or be unknown.
    store.add_points(key, step, timestamp, np.arange(len(step)) if value is None else value,
                     line=np.arange(1, len(step) + 1))
    return store, key


def test_x_range_of_an_ordered_series_is_a_slice_of_views_widened_by_one_point():
    store, key = _series(np.arange(100))
    snap = store.snapshot(key)
    assert snap.step_sorted and snap.timestamp_sorted
    assert snap.x_range("step", 10.5, 20.5) == slice(10, 22)
    part = store.x_range(key, "step", 10.5, 20.5)
    assert part.step.tolist() == list(range(10, 22))
    assert np.shares_memory(part.value, snap.value)  # a view, not a copy


def test_x_range_in_relative_and_wall_time_bisects_the_timestamps():
    store, key = _series(np.arange(100))  # timestamps 1000..1099
    snap = store.snapshot(key)
    assert snap.x_range("wall", 1050, 1059) == slice(49, 61)
    assert snap.x_range("relative", 50, 59, origin=1000.0) == slice(49, 61)
    assert snap.x_range("step", None, None) == slice(0, 100)
    assert snap.x_range("step", 500, 600) == slice(99, 100)  # past the end: the last point
    with pytest.raises(ValueError, match="x mode"):
        snap.x_range("epoch", 0, 1)


def test_order_is_kept_up_to_date_at_each_append_and_lost_for_good_once_broken():
    store, key = _series(np.arange(10))
    store.add_points(key, [10, 11], [1010, 1011], [0, 0], line=[11, 12])
    assert store.snapshot(key).step_sorted
    store.add_points(key, [3], [1012], [0], line=[13])  # a restart: step goes back
    snap = store.snapshot(key)
    assert not snap.step_sorted and snap.timestamp_sorted
    store.add_points(key, [20], [float("nan")], [0], line=[14])
    snap = store.snapshot(key)
    assert not snap.step_sorted and not snap.timestamp_sorted


def test_x_range_of_an_unordered_series_lists_the_points_inside_only():
    store, key = _series([0, 1, 2, 3, 1, 2, 9], timestamp=[5, 6, float("nan"), 7, 8, 9, 10])
    snap = store.snapshot(key)
    assert snap.x_range("step", 1, 2).tolist() == [1, 2, 4, 5]
    assert snap.x_range("wall", 6, 8).tolist() == [1, 3, 4]  # the NaN time has no place
    part = store.x_range(key, "step", 1, 2)
    assert part.step.tolist() == [1, 2, 1, 2] and not part.step_sorted


def test_x_range_keeps_the_nan_captures_inside_the_range():
    parser_defs, result = _parsed("loss=1\nloss=2\nloss=nan\nloss=3\nloss=4\n")
    store = MetricStore()
    store.add_result("job", "algo-1", NAMES, result)
    key = SeriesKey("job", "algo-1", "loss")
    assert len(store.snapshot(key).marks) == 1
    assert len(store.x_range(key, "wall", 1_699_999_000.0, 1_700_000_001.0).marks) == 1
    assert store.x_range(key, "wall", 1_800_000_000.0, None).marks == ()
