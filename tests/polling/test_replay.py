"""Past the hold: changed definitions read the source again, line numbers stay continuous.

A watch holds at most ``hold_limit`` bytes of text (a tiny limit here). Beyond it,
``set_definitions`` must neither renumber lines from 1 (the store would drop every new point
as already seen) nor lose the history of a new metric.
"""

from __future__ import annotations

import numpy as np

from metricwidgets.core.store import SeriesKey
from metricwidgets.polling.watch import Watch
from metricwidgets.polling.watched_job import WatchedJob
from metricwidgets.sources.base import LogBatch, SourceUpdate
from metricwidgets.sources.local_file import LocalFileSource
from tests.polling.scripted import ScriptedSource

LOSS = {"Name": "loss", "Regex": r"loss=([0-9.]+)"}
ACC = {"Name": "acc", "Regex": r"acc=([0-9.]+)"}


def _lines(start: int, stop: int) -> str:
    return "".join(f"epoch={i} loss={i / 1000:.3f} acc={i / 100:.2f}\n"
                   for i in range(start, stop))


def _series(watch, source, metric):
    snap = watch.store.snapshot(SeriesKey(source, "local", metric))
    return np.asarray(snap.line), np.asarray(snap.value)


def test_a_file_past_the_hold_is_read_again_for_a_new_metric(tmp_path):
    path = tmp_path / "train.log"
    path.write_text(_lines(1, 201))  # ~7 KB, far past the 1 KB hold
    source = LocalFileSource(path)
    watch = Watch([WatchedJob(source.name, source)], [LOSS], start=False, hold_limit=1000)
    try:
        watch.poll_once()
        assert not watch.session.holding
        with path.open("a") as f:
            f.write(_lines(201, 251))
        watch.poll_once()
        watch.set_definitions([LOSS, ACC])
        with path.open("a") as f:
            f.write(_lines(251, 301))
        watch.poll_once()
        expected = np.arange(1, 301)
        for metric, scale in (("loss", 1000), ("acc", 100)):
            lines, values = _series(watch, source.name, metric)
            assert list(lines) == list(expected), metric  # every line, numbered on
            np.testing.assert_allclose(values, expected / scale)
        assert not [m for m in watch.messages if "cannot be read again" in m.text]
    finally:
        watch.close()


def test_output_that_cannot_be_read_again_keeps_numbering_and_says_so():
    # A process's output (text, no way to read it again), as the scripted source hands it.
    source = ScriptedSource("run")
    for start, stop in ((1, 101), (101, 121), (121, 141)):
        source.queue.append(SourceUpdate(logs=[LogBatch("local", text=_lines(start, stop),
                                                        timestamp=1.0)]))
    watch = Watch([WatchedJob(source.name, source)], [LOSS], start=False, hold_limit=1000)
    try:
        watch.poll_once()
        watch.poll_once()
        watch.set_definitions([LOSS, ACC])
        watch.poll_once()
        lines, values = _series(watch, "run", "loss")
        assert list(lines) == list(range(1, 141))  # no new loss point dropped as seen
        np.testing.assert_allclose(values, np.arange(1, 141) / 1000)
        acc_lines, acc_values = _series(watch, "run", "acc")
        assert list(acc_lines) == list(range(121, 141))  # numbered on from line 120
        np.testing.assert_allclose(acc_values, np.arange(121, 141) / 100)
        assert any("cannot be read again" in m.text and m.level == "warning"
                   for m in watch.messages)
    finally:
        watch.close()
