"""The parsing session: one parser per (source, host), held text up to the hold limit,
parsing again when definitions change, and the two typed batches (log text, numeric points).

A real :class:`MetricStore` and real parsers; the batches are what sources hand out.
"""

from __future__ import annotations

import numpy as np
import pytest

from metricwidgets.core.parsing import MetricDefinition
from metricwidgets.core.store import MetricStore, SeriesKey
from metricwidgets.polling.session import HOLD_LIMIT, ParsingSession, batch_size
from metricwidgets.sources.base import LogBatch, PointBatch

LOSS = MetricDefinition("loss", r"loss=([0-9.]+)")
ACC = MetricDefinition("acc", r"acc=([0-9.]+)")
STEP = MetricDefinition("step", r"epoch=(\d+)")


def _lines(host, *lines, t=1.0):
    return LogBatch(host, lines=list(lines), timestamps=[t] * len(lines))


def _series(store, source, host, metric):
    snap = store.snapshot(SeriesKey(source, host, metric))
    return list(snap.line), list(snap.value)


def test_each_source_and_host_has_its_own_parser_and_line_numbers():
    store = MetricStore()
    session = ParsingSession(store)
    session.feed("job-a", _lines("algo-1", "loss=1", "noise", "loss=2"), [LOSS])
    session.feed("job-a", _lines("algo-2", "loss=5"), [LOSS])
    session.feed("job-b", _lines("algo-1", "noise", "loss=7"), [LOSS])
    session.feed("job-a", _lines("algo-1", "loss=3"), [LOSS])
    assert len(session.parsers()) == 3
    assert _series(store, "job-a", "algo-1", "loss") == ([1, 3, 4], [1.0, 2.0, 3.0])
    assert _series(store, "job-a", "algo-2", "loss") == ([1], [5.0])
    assert _series(store, "job-b", "algo-1", "loss") == ([2], [7.0])


def test_a_host_keeps_the_definitions_it_started_with_until_a_reparse():
    session = ParsingSession(MetricStore())
    session.feed("job", _lines("algo-1", "loss=1 acc=0.5"), [LOSS])
    # A later batch of a known host with other definitions: its parser is not rebuilt.
    session.feed("job", _lines("algo-1", "loss=2 acc=0.6"), [LOSS, ACC])
    assert session.store.metrics() == ["loss"]
    assert session.changed("job", [LOSS, ACC]) and not session.changed("job", [LOSS])
    assert not session.changed("other", [LOSS, ACC])  # no host of that source


def test_raw_text_may_end_mid_line_and_finish_parses_the_last_line():
    store = MetricStore()
    session = ParsingSession(store)
    session.feed("run", LogBatch("local", text="loss=1\nlos", timestamp=1.0), [LOSS])
    session.feed("run", LogBatch("local", text=b"s=2\nloss=3", timestamp=2.0), [LOSS])
    assert _series(store, "run", "local", "loss") == ([1, 2], [1.0, 2.0])
    session.finish("run")
    assert _series(store, "run", "local", "loss") == ([1, 2, 3], [1.0, 2.0, 3.0])
    assert [h.text_mode for h in session.parsers()] == [True]


def test_a_stream_that_ends_ends_its_last_line():
    store = MetricStore()
    session = ParsingSession(store)
    session.feed("file", LogBatch("local", text="loss=1", timestamp=1.0, ends_stream=True),
                 [LOSS])
    session.feed("file", LogBatch("local", text="2\n", timestamp=2.0), [LOSS])
    assert _series(store, "file", "local", "loss") == ([1], [1.0])  # never "loss=12"
    assert session.held_text() == "loss=1\n2\n"


def test_numeric_points_are_stored_by_index_and_counted_once():
    store = MetricStore()
    session = ParsingSession(store)
    batch = PointBatch("train:loss", "algo-1", np.array([10.0, 20.0]), np.array([0.5, 0.4]))
    assert session.add_points("job", batch) == 2
    assert session.add_points("job", batch) == 0  # the same points again: nothing new
    snap = store.snapshot(SeriesKey("job", "algo-1", "train:loss"))
    assert list(snap.value) == [0.5, 0.4] and list(snap.timestamp) == [10.0, 20.0]
    assert list(snap.step) == [0.0, 1.0]  # no step given: the store numbers them
    assert session.parsers() == []  # numbers need no parser


def test_new_definitions_parse_the_held_text_again_and_store_nothing_twice():
    store = MetricStore()
    session = ParsingSession(store)
    for host in ("algo-1", "algo-2"):
        session.feed("job", _lines(host, "loss=1 acc=0.1", "x", "loss=2 acc=0.2"), [LOSS])
    session.feed("job", LogBatch("other", text="loss=4 acc=0.4\n", timestamp=1.0), [LOSS])
    session.reparse("job", [LOSS, ACC])
    for host in ("algo-1", "algo-2"):
        assert _series(store, "job", host, "acc") == ([1, 3], [0.1, 0.2])
        assert _series(store, "job", host, "loss") == ([1, 3], [1.0, 2.0])  # not twice
    assert _series(store, "job", "other", "acc") == ([1], [0.4])
    assert not session.changed("job", [LOSS, ACC])
    # The new parsers go on where the old ones were.
    session.feed("job", _lines("algo-1", "loss=3 acc=0.3"), [LOSS, ACC])
    assert _series(store, "job", "algo-1", "acc") == ([1, 3, 4], [0.1, 0.2, 0.3])
    assert session.definition_stats()["acc"].points == 6


def test_a_reparse_of_one_source_leaves_the_others_alone():
    store = MetricStore()
    session = ParsingSession(store)
    session.feed("a", _lines("algo-1", "loss=1 acc=0.1"), [LOSS])
    session.feed("b", _lines("algo-1", "loss=1 acc=0.1"), [LOSS])
    session.reparse("a", [LOSS, ACC])
    assert store.keys() and SeriesKey("b", "algo-1", "acc") not in store.keys()
    assert session.changed("b", [LOSS, ACC])


def test_a_definition_removed_drops_nothing_already_stored_and_marks_no_nan():
    store = MetricStore()
    session = ParsingSession(store, step_definition=STEP)
    session.feed("job", _lines("algo-1", "epoch=3 loss=1 acc=0.1", "epoch=4 loss=nan acc=0.2"),
                 [LOSS, ACC])
    before = store.to_dataframe()
    session.reparse("job", [ACC])
    after = store.to_dataframe()
    assert len(after) == len(before)  # unchanged definitions' points are not stored again
    assert after[after.metric == "acc"]["step"].tolist() == [3.0, 4.0]


def test_text_is_held_up_to_the_limit_then_no_more_and_reparse_numbers_on():
    assert HOLD_LIMIT == 64 * 1024 * 1024
    store = MetricStore()
    session = ParsingSession(store, hold_limit=40)
    first = _lines("algo-1", "loss=1 acc=0.1", "loss=2 acc=0.2")  # 28 characters
    assert batch_size(first) == 28
    assert not session.feed("job", first, [LOSS])
    assert session.holding and session.held_text() == "loss=1 acc=0.1\nloss=2 acc=0.2\n"
    assert session.feed("job", _lines("algo-1", "loss=3 acc=0.3"), [LOSS])  # stopped now
    assert not session.holding and session.held_text() == ""
    assert not session.feed("job", _lines("algo-1", "loss=4 acc=0.4"), [LOSS])
    session.reparse("job", [LOSS, ACC])
    session.feed("job", _lines("algo-1", "loss=5 acc=0.5"), [LOSS, ACC])
    # Nothing old could be parsed again; new lines go on from line 4, none taken as seen.
    assert _series(store, "job", "algo-1", "acc") == ([5], [0.5])
    assert _series(store, "job", "algo-1", "loss")[0] == [1, 2, 3, 4, 5]


def test_replay_parses_a_fresh_reading_and_the_parsers_number_on():
    store = MetricStore()
    session = ParsingSession(store, hold_limit=10)
    session.feed("job", _lines("algo-1", "loss=1 acc=0.1", "loss=2 acc=0.2"), [LOSS])
    session.feed("job", _lines("algo-2", "loss=9 acc=0.9"), [LOSS])
    assert not session.holding
    # The source read again from its start (algo-2's stream is gone from it).
    again = [_lines("algo-1", "loss=1 acc=0.1", "loss=2 acc=0.2")]
    assert session.replay("job", [LOSS, ACC], iter(again)) == 2
    assert _series(store, "job", "algo-1", "acc") == ([1, 2], [0.1, 0.2])
    assert _series(store, "job", "algo-1", "loss") == ([1, 2], [1.0, 2.0])
    session.feed("job", _lines("algo-2", "loss=8 acc=0.8"), [LOSS, ACC])
    assert _series(store, "job", "algo-2", "acc") == ([2], [0.8])  # numbered on from 1


def _held(session, data: bytes, lines: list[str]) -> None:
    """A local file's raw chunks (odd sizes, each stamped, one stream end, an unfinished last
    line) on one host, CloudWatch's lines on another."""
    at, k = 0, 0
    while at < len(data):
        size = 1 + (k * 7919) % 9000
        session.feed("job", LogBatch("algo-1", text=data[at:at + size], timestamp=1e9 + k,
                                     ends_stream=k == 30), [LOSS])
        at, k = at + size, k + 1
    for at in range(0, len(lines), 500):
        session.feed("job", LogBatch("algo-2", lines=lines[at:at + 500],
                                     timestamps=[2e9 + at + i for i in range(500)]), [LOSS])


def test_a_large_held_text_is_parsed_again_on_every_core_as_on_one(monkeypatch, caplog):
    import pandas as pd

    from metricwidgets.core.parsing import cpus
    from tests.tricky_log import DEFINITIONS, STEP, tricky_log

    if cpus() < 2:
        pytest.skip("one CPU: nothing to parse in parallel")
    data = tricky_log(seed=13)
    lines = data.decode("utf-8", "replace").split("\n")
    new = [LOSS, *DEFINITIONS[1:]]
    sessions = []
    for threshold in (1 << 40, 0):  # never on several processes, then always
        monkeypatch.setattr("metricwidgets.core.parsing._pieces.PIECE_BYTES", 5000)
        monkeypatch.setattr("metricwidgets.core.parsing._parallel.PARALLEL_MIN_BYTES", threshold)
        caplog.clear()
        caplog.set_level("DEBUG", logger="metricwidgets.core.parsing._parallel")
        session = ParsingSession(MetricStore(), step_definition=STEP)
        _held(session, data, lines)
        session.reparse("job", new)
        said = [r.getMessage() for r in caplog.records if "process(es)" in r.getMessage()]
        assert len(said) == 2 and all(m.endswith(f"on {1 if threshold else 2} process(es)")
                                      for m in said)  # one re-parse per host
        # The held unfinished last line is ended by the next text, alike.
        session.feed("job", LogBatch("algo-1", text=b"1 more\nf1=0.5\n", timestamp=3e9), new)
        sessions.append(session)
    one, two = (s.store.to_dataframe() for s in sessions)
    assert len(one) > 1000 and set(one.metric) == {"loss", "acc", "f1", "tail"}
    pd.testing.assert_frame_equal(one, two)
    assert repr(sessions[0].definition_stats()) == repr(sessions[1].definition_stats())
