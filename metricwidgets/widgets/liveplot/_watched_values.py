"""What a watch's values are, read off its data sources: parsed from log text with steps, or
CloudWatch's published per-minute averages with no step (``--source metrics``).

The plot uses it to pick a time axis for points without steps and the header and readout
to name the values; the sources say it themselves
(:attr:`~metricwidgets.sources.base.Source.has_steps`,
:attr:`~metricwidgets.sources.base.Source.values_are`).
"""

from __future__ import annotations

__all__ = ["has_steps", "values_are"]


def _sources(watch) -> list:
    return list(getattr(watch, "sources", ()) or ())


def has_steps(watch) -> bool:
    """False once every data source of ``watch`` gives points without steps of their own
    (True while it has none yet: a tuning job before its first child)."""
    sources = _sources(watch)
    return not sources or any(getattr(s, "has_steps", True) for s in sources)


def values_are(watch) -> str | None:
    """What the values are when every data source says the same (``"CloudWatch averages
    (1 min)"``), else None: values parsed from log text."""
    said = {getattr(s, "values_are", None) for s in _sources(watch)}
    return said.pop() if len(said) == 1 else None
