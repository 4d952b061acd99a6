"""The Scheduler: one thread, anything Schedulable, due times on an injectable clock."""

from __future__ import annotations

import threading

from metricwidgets.polling.scheduler import Schedulable, Scheduler
from metricwidgets.polling.watch import Watch
from metricwidgets.polling.watched_job import WatchedJob
from tests.polling.scripted import ScriptedSource
from tests.waiting import FakeClock, poll_until


class Item:
    """The smallest Schedulable: polled when due, then due again ``period`` later."""

    def __init__(self, clock, due=0.0, period=10.0, fail=False):
        self.clock, self.due, self.period, self.fail = clock, due, period, fail
        self.polls: list[float] = []
        self.closed = False

    def next_due(self):
        return None if self.closed else self.due

    def poll_once(self):
        self.polls.append(self.clock())
        self.due = self.clock() + self.period
        if self.fail:
            raise RuntimeError("bug in an item")

    def close(self):
        self.closed = True


def test_an_item_is_polled_only_when_the_clock_reaches_its_due_time():
    clock = FakeClock()
    scheduler = Scheduler(name="test-scheduler-due", clock=clock, idle_wait=0.02)
    item = Item(clock, due=5.0)
    assert isinstance(item, Schedulable)
    scheduler.add(item)
    assert not poll_until(lambda: item.polls, 0.2)  # due at 5, the clock says 0
    clock.now = 5.0
    scheduler.wake()
    assert poll_until(lambda: item.polls == [5.0], 5)
    clock.now = 14.0  # next due at 15
    scheduler.wake()
    assert not poll_until(lambda: len(item.polls) > 1, 0.2)
    clock.now = 15.0
    assert poll_until(lambda: item.polls == [5.0, 15.0], 5)
    assert scheduler.close(5) and item.closed


def test_the_earliest_due_item_goes_first():
    clock = FakeClock()
    scheduler = Scheduler(name="test-scheduler-order", clock=clock, idle_wait=0.02)
    order = []
    late, early = Item(clock, due=2.0), Item(clock, due=1.0)
    late.poll_once = lambda: (order.append("late"), setattr(late, "due", 99.0))
    early.poll_once = lambda: (order.append("early"), setattr(early, "due", 99.0))
    scheduler.add(late)
    scheduler.add(early)
    clock.now = 3.0
    assert poll_until(lambda: len(order) == 2, 5)
    assert order == ["early", "late"]
    assert scheduler.close(5)


def test_an_item_that_raises_is_retried_after_the_error_delay_and_the_thread_lives():
    clock = FakeClock()
    scheduler = Scheduler(name="test-scheduler-error", clock=clock, idle_wait=0.02,
                          error_delay=30.0)
    broken, healthy = Item(clock, period=1.0, fail=True), Item(clock, due=1.0, period=1.0)
    scheduler.add(broken)
    scheduler.add(healthy)
    assert poll_until(lambda: broken.polls == [0.0], 5)
    clock.now = 2.0  # the broken item asked for 1.0, but waits out the error delay
    assert poll_until(lambda: healthy.polls, 5)
    assert broken.polls == [0.0] and scheduler.thread.is_alive()
    clock.now = 40.0  # past the error delay (counted from the failure, at 0 or 2)
    assert poll_until(lambda: broken.polls == [0.0, 40.0], 5)
    assert scheduler.close(5)


def test_a_paused_watch_is_not_polled_until_resumed():
    clock = FakeClock()
    scheduler = Scheduler(name="test-scheduler-pause", clock=clock, idle_wait=0.02)
    source = ScriptedSource()
    watch = Watch([WatchedJob(source.name, source)], poller=scheduler, clock=clock,
                  min_interval=1.0, max_interval=1.0)
    assert poll_until(lambda: len(source.polls) == 1, 5)
    watch.pause()
    assert watch.next_due() is None
    clock.now = 100.0
    scheduler.wake()
    assert not poll_until(lambda: len(source.polls) > 1, 0.3)
    watch.resume()
    assert poll_until(lambda: len(source.polls) == 2, 5)
    watch.close()
    assert scheduler.join(5)


def test_poller_thread_ends_when_the_last_watch_is_closed(poller):
    first = Watch([WatchedJob("a", ScriptedSource("a"))], poller=poller, min_interval=0.01,
                  max_interval=0.05)
    second = Watch([WatchedJob("b", ScriptedSource("b"))], poller=poller, min_interval=0.01,
                   max_interval=0.05)
    thread = poller.thread
    assert thread is not None and thread.is_alive() and thread.daemon
    first.close()
    assert not poller.join(0.1)  # one watch left: the thread goes on
    assert thread.is_alive()
    second.close()
    second.close()  # idempotent
    assert poller.join(5)
    assert first.closed and second.closed


def test_the_scheduler_never_touches_a_watch_beyond_the_protocol():
    # Watch no longer exposes what the old poller reached into.
    names = {"next_due", "poll_once", "close"}
    assert names <= set(dir(Watch))
    assert all(callable(getattr(Watch, name)) for name in names)
    assert isinstance(Watch([], start=False), Schedulable)
    assert threading.current_thread() is threading.main_thread()


def test_call_soon_runs_once_on_the_thread_before_what_is_due_and_a_bug_does_not_repeat():
    clock = FakeClock()
    scheduler = Scheduler(name="test-scheduler-soon", clock=clock, idle_wait=0.02)
    order, threads = [], []
    item = Item(clock, due=99.0)
    item.poll_once = lambda: order.append("item")
    scheduler.add(item)
    gate = threading.Event()
    scheduler.call_soon(gate.wait)  # holds the thread until the test has queued the rest

    def broken():
        order.append("broken")
        raise RuntimeError("bug in an action")

    scheduler.call_soon(broken)
    scheduler.call_soon(lambda: (order.append("soon"), threads.append(threading.current_thread())))
    clock.now = 100.0  # the item is due now too, but the actions asked first
    gate.set()
    assert poll_until(lambda: len(order) >= 3, 5)
    assert order[:2] == ["broken", "soon"] and threads == [scheduler.thread]
    assert scheduler.items == [item]  # the actions left, the failed one too
    assert scheduler.close(5)
    assert order.count("broken") == 1
