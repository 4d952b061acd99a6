"""The Watch: background polling, adaptive intervals, errors, definitions, suggestions."""

from __future__ import annotations

import sys
import textwrap
import threading

import pytest

from metricwidgets.core.parsing import DefinitionError
from metricwidgets.errors import AWSError
from metricwidgets.polling.scheduler import Scheduler
from metricwidgets.polling.watch import Watch
from metricwidgets.polling.watched_job import WatchedJob
from metricwidgets.sources.local_file import LocalFileSource
from tests.polling.scripted import ScriptedSource
from tests.waiting import FakeClock, poll_until, wait_until
from metricwidgets.options import MetricOptions

DEFS = [{"Name": "loss", "Regex": r"loss=([0-9.]+)"}]


def _watch(source, poller, **kwargs):
    kwargs.setdefault("min_interval", 0.01)
    kwargs.setdefault("max_interval", 0.05)
    return Watch([WatchedJob(source.name, source)], kwargs.pop("defs", DEFS), poller=poller,
                 **kwargs)


def _python(code):
    return [sys.executable, "-c", textwrap.dedent(code)]


def test_command_output_is_parsed_with_sagemaker_escaping(poller):
    defs = [{"Name": "valid", "Regex": r"#011validation-rmse:([0-9.]+)"}]
    watch = Watch.for_command(_python("""
        for i in range(5):
            print(f"[{i}]\\ttrain-rmse:0.5\\tvalidation-rmse:0.{i}")
    """), MetricOptions.from_keywords(defs), poller=poller)
    assert watch.wait(20)
    frame = watch.store.to_dataframe()
    assert frame["value"].tolist() == [0.0, 0.1, 0.2, 0.3, 0.4]
    assert set(frame["host"]) == {"local"}
    assert next(iter(watch.statuses.values())).status == "Completed"


def test_polling_runs_off_the_main_thread_while_it_is_busy(poller):
    source = ScriptedSource()
    watch = _watch(source, poller)
    threads = []
    watch.add_listener(lambda w: threads.append(threading.current_thread()))
    source.push_lines("algo-1", ["loss=0.5"])

    def busy():
        sum(range(10000))  # the main thread stays busy (holds the GIL); the points arrive
        return len(watch.store)

    assert poll_until(busy, 10, interval=0) == 1
    assert threads and all(t is not threading.main_thread() for t in threads)
    watch.close()


def test_listener_is_told_of_changes_and_a_broken_listener_becomes_a_message(poller):
    source = ScriptedSource()
    watch = _watch(source, poller)
    seen = []

    def broken(_):
        raise RuntimeError("listener bug")

    watch.add_listener(lambda w: seen.append(len(w.store)))
    watch.add_listener(broken)
    source.push_lines("algo-1", ["loss=1", "loss=2"])
    assert poll_until(lambda: 2 in seen, 15)
    assert poll_until(lambda: any("listener bug" in m.text for m in watch.messages), 15)
    watch.remove_listener(broken)
    source.push_lines("algo-1", ["loss=3"])
    assert poll_until(lambda: 3 in seen, 15)
    watch.close()


def test_errors_become_messages_with_growing_jittered_backoff_then_recovery(poller):
    source = ScriptedSource()
    source.failures = [AWSError("AWS is throttling requests (ThrottlingException); "
                                "backing off.", "throttled", 429)] * 4
    watch = _watch(source, poller, start=False, min_interval=0.1, max_backoff=10)
    delays = [watch.poll_once() for _ in range(4)]
    for k, delay in enumerate(delays, start=1):
        assert 0.1 * 2 ** k * 0.5 <= delay <= 0.1 * 2 ** k
    assert isinstance(watch.last_error, AWSError)
    last = watch.messages[-1]
    assert "throttling" in last.text and last.level == "warning"
    assert last.text.endswith(f"Trying again in {delays[-1]:.1f} s.")  # what it does about it
    source.push_lines("algo-1", ["loss=1"])
    assert watch.poll_once() == 0.1
    assert watch.last_error is None
    assert watch.messages[-1].text == "recovered; polling again"
    assert len(watch.store) == 1


def test_a_bug_in_a_source_is_reported_not_silent(poller):
    source = ScriptedSource()
    source.failures = [ZeroDivisionError("oops")]
    watch = _watch(source, poller)
    assert poll_until(lambda: any("ZeroDivisionError: oops" in m.text for m in watch.messages), 15)
    assert poller.thread is not None and poller.thread.is_alive()
    watch.close()


def test_pause_during_a_poll_lets_it_end_then_stops_polling_until_resume():
    clock = FakeClock()
    scheduler = Scheduler(name="test-watch-pause", clock=clock, idle_wait=0.02)
    source = ScriptedSource()
    source.gate = threading.Event()  # the first poll waits for the test
    watch = _watch(source, scheduler, clock=clock, min_interval=1.0, max_interval=1.0)
    rounds = []
    watch.add_listener(lambda w: rounds.append(len(source.polls)))
    try:
        wait_until(lambda: source.polls, 10, interval=0.01, what="the first poll to start")
        watch.pause()  # while that poll is under way
        source.gate.set()
        wait_until(lambda: rounds == [1], 10, interval=0.01, what="the poll to end")
        clock.now = 100.0  # long past the next due time
        scheduler.wake()
        assert not poll_until(lambda: len(source.polls) > 1, 0.3)
        watch.resume()
        wait_until(lambda: len(source.polls) == 2, 10, interval=0.01, what="a poll again")
    finally:
        watch.close()
        assert scheduler.join(5)


def test_finished_watch_stops_polling_and_wait_returns_true(poller):
    source = ScriptedSource()
    watch = _watch(source, poller)
    assert not watch.wait(0.1)
    source.done = True
    assert watch.wait(10)
    assert watch.next_due() is None
    assert poller.join(5)  # it left the scheduler: nothing polls it any more
    assert watch.finished and not watch.closed


def test_close_closes_the_sources(poller):
    source = ScriptedSource()
    watch = _watch(source, poller)
    watch.close()
    assert source.closed and watch.closed and not watch.wait(0.1)


def test_a_definition_added_later_gets_the_whole_history_and_nothing_twice(poller):
    source = ScriptedSource()
    watch = _watch(source, poller, start=False)
    source.push_lines("algo-1", ["loss=1 acc=0.1", "loss=2 acc=0.2"])
    watch.poll_once()
    assert watch.store.metrics() == ["loss"]
    assert watch.set_definitions(DEFS + [{"Name": "acc", "Regex": r"acc=([0-9.]+)"}]).wait(10)
    frame = watch.store.to_dataframe()
    assert sorted(frame[frame.metric == "acc"]["value"]) == [0.1, 0.2]
    assert sorted(frame[frame.metric == "loss"]["value"]) == [1.0, 2.0]
    source.push_lines("algo-1", ["loss=3 acc=0.3"])
    watch.poll_once()
    assert len(watch.store) == 6
    assert watch.definition_stats()["acc"].points == 3


def test_definition_stats_are_summed_over_hosts(poller):
    source = ScriptedSource()
    watch = _watch(source, poller, start=False, defs=[{"Name": "loss", "Regex": r"loss=(\S+)"}])
    source.push_lines("algo-1", ["loss=1", "loss=nan"])
    source.push_lines("algo-2", ["loss=2", "loss=nan", "loss=x"])
    watch.poll_once()
    watch.poll_once()
    stats = watch.definition_stats()["loss"]
    assert stats.points == 2
    assert stats.dropped == {"nan": 2, "not-a-number": 1}


def test_a_bad_user_regex_is_refused_at_once_with_its_position(poller):
    with pytest.raises(DefinitionError, match="position"):
        _watch(ScriptedSource(), poller, defs=[{"Name": "x", "Regex": "loss=([0-9"}])


def test_command_without_definitions_gets_suggested_ones_applied_to_earlier_output(poller):
    watch = Watch.for_command(_python("""
        for i in range(6):
            print(f"epoch {i}: train_loss=0.{9 - i}5 val_accuracy=0.{i}1")
    """), poller=poller)
    assert watch.wait(20)
    names = {d.name for d in watch.definitions}
    assert names, "no definitions were suggested"
    frame = watch.store.to_dataframe()
    # Every epoch's value is there, including those printed before the suggestion.
    per_metric = frame.groupby("metric").size()
    assert (per_metric == 6).all(), per_metric


def test_a_followed_file_is_parsed_across_split_characters_and_rotation(tmp_path, poller):
    path = tmp_path / "train.log"
    path.write_bytes("epoch 1 loss=0.5 \u00b5\n".encode()[:-2])  # ends inside "µ"
    watch = Watch.for_file(path, MetricOptions.from_keywords(DEFS), start=False, poller=poller)
    watch.poll_once()
    with open(path, "ab") as handle:
        handle.write("epoch 1 loss=0.5 \u00b5\n".encode()[-2:] + b"loss=0.25\n")
    watch.poll_once()
    path.rename(tmp_path / "train.log.1")
    path.write_bytes(b"loss=0.125\n")
    watch.poll_once()
    frame = watch.store.to_dataframe()
    assert frame["value"].tolist() == [0.5, 0.25, 0.125]
    assert frame["line"].tolist() == [1, 2, 3]
    assert not watch.finished  # a file can always grow
    watch.close()


def test_idle_polls_do_not_call_the_listeners(poller):
    source = ScriptedSource()
    watch = _watch(source, poller, start=False)
    calls = []
    watch.add_listener(calls.append)
    watch.poll_once()  # the first status is news
    for _ in range(5):
        watch.poll_once()
    assert len(calls) == 1
    source.push_lines("algo-1", ["loss=1"])
    watch.poll_once()
    assert len(calls) == 2


# ------------------------------------------------------------- set_definitions off the caller
LOSS = {"Name": "loss", "Regex": r"loss=([0-9.]+)"}
ACC = {"Name": "acc", "Regex": r"acc=([0-9.]+)"}


def _epochs(start, stop):
    return [f"epoch={i} loss={i / 1000:.3f} acc={i / 100:.2f}" for i in range(start, stop)]


def _lines_of(watch, metric):
    frame = watch.store.to_dataframe()
    return frame[frame.metric == metric]["line"].tolist()


class GatedFileSource(LocalFileSource):
    """A followed file whose reading again from the start waits for the test's gate: a
    re-parse as slow as the test wants (a big job's CloudWatch Logs read again)."""

    def __init__(self, path, gate):
        super().__init__(path)
        self.gate = gate
        self.restarted_on: list[threading.Thread] = []

    def restarted(self):
        self.restarted_on.append(threading.current_thread())
        self.gate.wait(10)
        return super().restarted()


def _in_thread(function, timeout=5.0):
    """``function()``'s result if it returns within ``timeout`` s on another thread."""
    result = []
    thread = threading.Thread(target=lambda: result.append(function()), daemon=True)
    thread.start()
    thread.join(timeout)
    assert result, f"{function} blocked for {timeout} s"
    return result[0]


def test_set_definitions_returns_at_once_and_the_slow_re_read_runs_on_the_scheduler(
        tmp_path, poller):
    path = tmp_path / "train.log"
    path.write_text("\n".join(_epochs(1, 201)) + "\n")  # ~7 KB, past the 1 KB hold
    gate = threading.Event()
    source = GatedFileSource(path, gate)
    watch = Watch([WatchedJob(source.name, source)], [LOSS], poller=poller, min_interval=0.01,
                  max_interval=0.05, hold_limit=1000)
    wait_until(lambda: len(_lines_of(watch, "loss")) == 200, 15, what="the first reading")
    assert not watch.session.holding

    done = watch.set_definitions([LOSS, ACC])
    # The re-read cannot end before the gate opens: had it run on this thread, the call
    # would have returned only after it (10 s later, done).
    assert not done.is_set()
    wait_until(lambda: source.restarted_on, 10, what="the re-read to start")
    assert source.restarted_on == [poller.thread]
    # Meanwhile the watch answers (its locks are not held while the text is read again)
    # and shows the definitions its data is parsed with.
    assert [d.name for d in _in_thread(lambda: watch.definitions)] == ["loss"]
    assert "acc" not in _in_thread(watch.definition_stats)
    with path.open("a") as handle:  # training goes on during the re-read
        handle.write("\n".join(_epochs(201, 261)) + "\n")
    gate.set()
    assert done.wait(20)
    assert [d.name for d in watch.definitions] == ["loss", "acc"]
    with path.open("a") as handle:
        handle.write("\n".join(_epochs(261, 301)) + "\n")
    wait_until(lambda: len(_lines_of(watch, "acc")) >= 300, 15, what="every acc point")
    for metric in ("loss", "acc"):  # every line once: none lost, none twice
        assert _lines_of(watch, metric) == list(range(1, 301)), metric
    frame = watch.store.to_dataframe()
    assert frame[frame.metric == "acc"]["value"].tolist() == [i / 100 for i in range(1, 301)]
    watch.close()


def test_definitions_changed_while_lines_arrive_lose_and_repeat_nothing(poller):
    source = ScriptedSource()
    watch = _watch(source, poller, defs=[LOSS])
    changes = [[LOSS, ACC], [LOSS], [ACC, LOSS]]
    for k, batch in enumerate(range(0, 300, 10)):
        if k % 10 == 5:  # a change, and the next lines on its heels
            watch.set_definitions(changes[k // 10])
        source.push_lines("algo-1", _epochs(batch + 1, batch + 11))
        wait_until(lambda n=batch + 10: len(_lines_of(watch, "loss")) >= n, 15,
                   interval=0.01, what="the watch to parse the batch")
    wait_until(lambda: len(_lines_of(watch, "loss")) >= 300, 15, what="every loss point")
    assert watch.set_definitions([LOSS, ACC]).wait(10)
    wait_until(lambda: len(_lines_of(watch, "acc")) >= 300, 15, what="every acc point")
    for metric in ("loss", "acc"):
        assert _lines_of(watch, metric) == list(range(1, 301)), metric
    watch.close()


def test_a_finished_watch_is_parsed_again_and_the_scheduler_thread_ends(poller):
    watch = Watch.for_command(_python("""
        for i in range(5):
            print(f"loss={i} acc=0.{i}")
    """), MetricOptions.from_keywords([LOSS]), poller=poller)
    assert watch.wait(20)
    assert poller.join(10)  # a finished watch leaves the scheduler
    seen = []
    watch.add_listener(lambda w: seen.append(w.store.metrics()))
    assert watch.set_definitions([LOSS, ACC]).wait(10)
    frame = watch.store.to_dataframe()
    assert frame[frame.metric == "acc"]["value"].tolist() == [0.0, 0.1, 0.2, 0.3, 0.4]
    assert seen and "acc" in seen[-1]  # the listeners were told
    assert poller.join(10)


def test_a_paused_watch_is_parsed_again_without_polling_its_source(poller):
    source = ScriptedSource()
    watch = _watch(source, poller, defs=[LOSS])
    source.push_lines("algo-1", _epochs(1, 4))
    wait_until(lambda: len(watch.store) == 3, 15, what="the first lines")
    watch.pause()
    polls = len(source.polls)
    assert watch.set_definitions([LOSS, ACC]).wait(10)
    assert _lines_of(watch, "acc") == [1, 2, 3]
    assert len(source.polls) <= polls + 1  # at most a poll under way when it was paused
    watch.close()
