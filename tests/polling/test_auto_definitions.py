"""Suggestions see the whole output, past the hold: a bounded sample fed as text arrives."""

from __future__ import annotations

import numpy as np

from metricwidgets.core.store import SeriesKey
from metricwidgets.polling.watch import Watch
from metricwidgets.polling.watched_job import WatchedJob
from metricwidgets.sources.base import LogBatch
from metricwidgets.sources.local_file import LocalFileSource
from tests.waiting import FakeClock


def test_a_metric_first_printed_after_the_hold_is_still_suggested(tmp_path):
    path = tmp_path / "train.log"
    path.write_text("".join(f"step {i} loss={1 / i:.4f}\n" for i in range(1, 601)))
    clock = FakeClock()
    source = LocalFileSource(path)
    watch = Watch([WatchedJob(source.name, source)], suggest=True, start=False,
                  clock=clock, hold_limit=2000)
    try:
        watch.poll_once()
        assert not watch.session.holding
        assert [d.name for d in watch.definitions] == ["loss"]
        with path.open("a") as f:
            f.write("".join(f"step {i} loss={1 / i:.4f} grad_norm={i / 10:.1f}\n"
                            for i in range(601, 701)))
        clock.now += 5.0
        watch.poll_once()
        assert "grad_norm" in [d.name for d in watch.definitions]
        # ... and it was parsed over the whole file, lines numbered as in the file.
        snap = watch.store.snapshot(SeriesKey(source.name, "local", "grad_norm"))
        assert list(snap.line) == list(range(601, 701))
        np.testing.assert_allclose(snap.value, np.arange(601, 701) / 10)
        loss = watch.store.snapshot(SeriesKey(source.name, "local", "loss"))
        assert list(loss.line) == list(range(1, 701))
    finally:
        watch.close()


def test_the_sample_stays_bounded_and_keeps_head_middle_and_tail():
    from metricwidgets.polling.auto_definitions import LineSample

    sample = LineSample(head=10, tail=10, reservoir=20)
    text = "".join(f"line {i}\n" for i in range(1, 100_001))
    for start in range(0, len(text), 4096):  # raw chunks, cut mid-line
        sample.add_batch(LogBatch("local", text=text[start:start + 4096].encode()))
    lines = sample.text().splitlines()
    assert sample.seen == 100_000
    assert len(lines) == 40
    assert lines[:10] == [f"line {i}" for i in range(1, 11)]
    assert lines[-10:] == [f"line {i}" for i in range(99_991, 100_001)]
    middle = [int(line.split()[1]) for line in lines[10:30]]
    assert middle == sorted(middle) and all(10 < i < 99_991 for i in middle)
    assert max(middle) - min(middle) > 50_000  # drawn over the whole output, not one end
