"""``Watch.on_finding``: each finding once, as it appears, from the poller's thread."""

from __future__ import annotations

import threading

from metricwidgets.polling.watch import Watch
from metricwidgets.polling.watched_job import WatchedJob
from tests.polling.scripted import ScriptedSource
from tests.waiting import wait_until

DEFS = [{"Name": "loss", "Regex": r"loss=([0-9.e+]+)"}]
HEALTHY = [f"loss={1.0 / (i + 1):.4f}" for i in range(12)]
EXPLODING = ["loss=50", "loss=400", "loss=3000"]


def _watch(source, poller):
    return Watch([WatchedJob(source.name, source)], DEFS, poller=poller, min_interval=0.01,
                 max_interval=0.05)


def test_a_new_finding_is_told_once_from_the_pollers_thread(poller):
    source = ScriptedSource()
    watch = _watch(source, poller)
    calls = []
    watch.on_finding(lambda f: calls.append((f, threading.current_thread())))
    source.push_lines("algo-1", HEALTHY)
    wait_until(lambda: watch.store.version > 0, 10)
    source.push_lines("algo-1", EXPLODING)
    wait_until(lambda: calls, 20, what="the divergence told")
    source.push_lines("algo-1", ["loss=90000", "loss=800000"])  # worse figures, same finding
    wait_until(lambda: len(watch.store.to_dataframe()) == 17, 10)
    watch.flush_findings()
    (finding, thread), = calls
    assert finding.kind == "divergence" and finding.metric == "loss" and finding.job == "scripted"
    assert thread is poller.thread and thread is not threading.main_thread()


def test_a_callback_added_later_hears_the_findings_made_before(poller):
    source = ScriptedSource()
    watch = _watch(source, poller)
    first, later = [], []
    watch.on_finding(first.append)
    source.push_lines("algo-1", HEALTHY + EXPLODING)
    wait_until(lambda: first, 20, what="the first callback told")
    watch.on_finding(later.append)
    wait_until(lambda: later, 20, what="the later callback told")
    assert [f.kind for f in later] == [f.kind for f in first] == ["divergence"]


def test_a_callback_that_raises_is_a_watch_message_and_the_others_still_run(poller):
    source = ScriptedSource()
    watch = _watch(source, poller)
    told = []

    def broken(_finding):
        raise RuntimeError("no")

    watch.on_finding(broken)
    watch.on_finding(told.append)
    source.push_lines("algo-1", HEALTHY + EXPLODING)
    wait_until(lambda: told, 20)
    assert any("on_finding callback failed: RuntimeError: no" in m.text for m in watch.messages)
    assert not watch.closed and watch.error is None
