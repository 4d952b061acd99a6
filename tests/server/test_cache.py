"""The server's answer cache: many tabs asking the same thing cost one AWS call."""

from __future__ import annotations

import asyncio

from metricwidgets.server.cache import AnswerCache
from tests.waiting import FakeClock


def counting(answers, gate: asyncio.Event | None = None):
    """A compute function returning the next answer, counting its calls; with ``gate``, each
    call stays in flight (as an AWS call would) until the gate opens."""
    calls = []

    async def compute():
        calls.append(1)
        if gate is not None:
            await gate.wait()
        answer = answers[len(calls) - 1]
        if isinstance(answer, Exception):
            raise answer
        return answer

    return compute, calls


async def _open(gate: asyncio.Event) -> None:
    gate.set()


def test_concurrent_requests_for_one_key_share_one_call():
    async def main():
        cache = AnswerCache(ttl=5)
        gate = asyncio.Event()
        compute, calls = counting(["page"], gate)
        # The gate opens after every request was made (gather runs them in order).
        *answers, _ = await asyncio.gather(*[cache.get("jobs", compute) for _ in range(10)],
                                           _open(gate))
        return answers, calls

    answers, calls = asyncio.run(main())
    assert answers == ["page"] * 10
    assert len(calls) == 1


def test_an_answer_is_reused_until_the_ttl_passes():
    clock = FakeClock()

    async def main():
        cache = AnswerCache(ttl=5, clock=clock)
        compute, calls = counting(["old", "new"])
        first = await cache.get("jobs", compute)
        clock.now = 4.9
        cached = await cache.get("jobs", compute)
        clock.now = 5.0
        fresh = await cache.get("jobs", compute)
        return first, cached, fresh, calls

    first, cached, fresh, calls = asyncio.run(main())
    assert (first, cached, fresh) == ("old", "old", "new")
    assert len(calls) == 2


def test_different_keys_are_answered_separately():
    async def main():
        cache = AnswerCache(ttl=5)
        compute_a, calls_a = counting(["a"])
        compute_b, calls_b = counting(["b"])
        return (await cache.get("a", compute_a), await cache.get("b", compute_b),
                calls_a, calls_b)

    a, b, calls_a, calls_b = asyncio.run(main())
    assert (a, b, len(calls_a), len(calls_b)) == ("a", "b", 1, 1)


def test_a_failure_reaches_every_waiter_and_is_not_cached():
    async def main():
        cache = AnswerCache(ttl=5)
        gate = asyncio.Event()
        compute, calls = counting([RuntimeError("throttled"), "page"], gate)
        *results, _ = await asyncio.gather(*[cache.get("jobs", compute) for _ in range(3)],
                                           _open(gate), return_exceptions=True)
        again = await cache.get("jobs", compute)
        return results, again, calls

    results, again, calls = asyncio.run(main())
    assert all(isinstance(r, RuntimeError) for r in results)
    assert again == "page"
    assert len(calls) == 2


def test_oldest_answers_are_dropped_beyond_max_entries():
    async def main():
        cache = AnswerCache(ttl=60, max_entries=2)
        for key in ("a", "b", "c"):
            compute, _ = counting([key])
            await cache.get(key, compute)
        compute, calls = counting(["a again"])
        return await cache.get("a", compute), calls

    answer, calls = asyncio.run(main())
    assert answer == "a again" and len(calls) == 1


def test_zero_ttl_caches_nothing():
    async def main():
        cache = AnswerCache(ttl=0.0)
        compute, calls = counting(["one", "two"])
        return await cache.get("k", compute), await cache.get("k", compute), calls

    one, two, calls = asyncio.run(main())
    assert (one, two, len(calls)) == ("one", "two", 2)


def test_a_flight_every_waiter_left_is_cancelled_and_a_new_request_starts_afresh():
    async def main():
        cache = AnswerCache(ttl=5)
        started = asyncio.Event()
        flights = []

        def compute():
            flight = asyncio.get_running_loop().create_future()  # never answers by itself
            flights.append(flight)
            started.set()
            return flight

        waiters = [asyncio.ensure_future(cache.get("k", compute)) for _ in range(2)]
        await started.wait()
        waiters[0].cancel()
        await asyncio.wait([waiters[0]])  # its cancellation has been handled
        still_running = not flights[0].cancelled()  # one tab still waits for it
        waiters[1].cancel()
        await asyncio.gather(*waiters, return_exceptions=True)
        abandoned = flights[0].cancelled()

        async def fresh():
            return "page"

        again = await cache.get("k", fresh)
        return still_running, abandoned, again

    still_running, abandoned, again = asyncio.run(main())
    assert still_running and abandoned
    assert again == "page"
