"""Benchmarks (``python -m tests.benchmarks [name ...]``) and what several of them share."""

from __future__ import annotations

import contextlib

__all__ = ["lifted_budget"]


@contextlib.contextmanager
def lifted_budget(rate: float = 100_000):
    """Lift the process-wide call budget while a benchmark measures something else than it;
    the default rates come back afterwards."""
    from metricwidgets.sources.budget import default_budget

    budget = default_budget()
    saved = dict(budget.rates)
    for key in budget.rates:
        budget.rates[key] = rate
    try:
        yield budget
    finally:
        budget.rates.clear()
        budget.rates.update(saved)
