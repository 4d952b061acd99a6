"""Which metric definitions a watched job is parsed with: the layers and how they merge.

Three layers, later ones winning by name: the definitions suggested from the output (only
for a command or file watched without definitions), the job's own (from
``DescribeTrainingJob``), and the user's (so a user can fix or add a regex after the job ran).
"""

from __future__ import annotations

from collections.abc import Iterable

from metricwidgets.core.parsing import MetricDefinition, load_definitions

__all__ = ["layered_definitions", "load_user_definitions", "merge_definitions"]


def merge_definitions(job: Iterable[MetricDefinition],
                      user: Iterable[MetricDefinition]) -> list[MetricDefinition]:
    """The job's definitions, then the user's; a user's definition replaces the job's of the
    same name (so a user can fix or add a regex after the job ran)."""
    merged = {d.name: d for d in job}
    for d in user:
        merged.pop(d.name, None)
        merged[d.name] = d
    return list(merged.values())


def layered_definitions(suggested: Iterable[MetricDefinition],
                        job: Iterable[MetricDefinition],
                        user: Iterable[MetricDefinition]) -> list[MetricDefinition]:
    """Suggested, then the job's, then the user's definitions, each layer winning by name."""
    return merge_definitions(merge_definitions(suggested, job), user)


def load_user_definitions(metric_definitions) -> list[MetricDefinition]:
    """Read the user's definitions (anything :func:`load_definitions` reads) and compile each.

    Raises
    ------
    DefinitionError
        For a regex that does not compile: the user's to fix now, with its position.
    """
    user = load_definitions(metric_definitions)
    for d in user:
        d.compile()
    return list(user)
