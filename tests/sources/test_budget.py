"""The process-wide call budget (sources/budget.py)."""

from __future__ import annotations

import threading
import time

from metricwidgets.sources.budget import CallBudget


def test_budget_never_allows_more_than_the_rate_in_any_window():
    budget = CallBudget({("logs", "GetLogEvents"): 20}, per=0.25)
    times = []
    threads = [threading.Thread(target=lambda: [
        (budget.acquire("logs", "GetLogEvents"), times.append(time.monotonic()))
        for _ in range(10)]) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    times.sort()
    assert len(times) == 40
    limit = int(20 * 0.25)
    for i, t in enumerate(times):
        in_window = sum(1 for u in times[i:] if u < t + 0.25 - 1e-3)
        assert in_window <= limit
    assert budget.acquire("logs", "Unlisted")  # unlisted operations are not limited


