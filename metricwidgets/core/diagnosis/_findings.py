"""The finding: one thing worth a user's attention, said once, in the same shape everywhere.

The chart marks findings, the CLI prints them and :func:`metricwidgets.diagnose` returns
them, so a finding carries everything each door needs: what (``kind``), about which series
(``metric``, ``job``, ``host``), where it began (``step``, ``value``), one line of plain text
and a ``severity``. ``kind`` is an open string: the training-curve diagnoses use
``overfitting``, ``divergence``, ``nonfinite`` and ``plateau``; other producers (instance
utilisation: an idle GPU, a full memory) add their own kinds to the same list.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace

__all__ = ["SEVERITIES", "Diagnosis", "Finding", "about_instance", "has_errors", "labelled",
           "merge_findings"]

#: Severities, most serious first. ``error`` makes ``metricwidgets diagnose`` exit with 1.
SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Finding:
    """One finding, marked on the chart at ``step`` and told in ``text``.

    Attributes
    ----------
    kind : str
        What was found: ``overfitting``, ``divergence``, ``nonfinite``, ``plateau``, or any
        other producer's kind (an open set; compare with ``==``, never assume the four).
    metric : str
        The series the finding is about (validation's for overfitting), or a resource name
        for a non-metric finding.
    step : float
        Where it began, in the series' step units (NaN when unknown).
    value : float
        The series' value there (NaN for a NaN/Inf capture or when there is none).
    text : str
        One line in plain words for the user.
    severity : str
        ``error`` (divergence, NaN/Inf), ``warning`` (overfitting) or ``info`` (plateau).
    job : str
        The job or source the series belongs to ('' when there is only one).
    host : str
        The host (``algo-1``...; '' when not known).
    details : dict
        Figures behind the text (best value, current value, noise...), for whoever wants them.
    """

    kind: str
    metric: str
    step: float
    value: float
    text: str
    severity: str
    job: str = ""
    host: str = ""
    details: dict = field(default_factory=dict, compare=False, hash=False)

    def located(self, job: str, host: str) -> Finding:
        """This finding, said of ``job`` and ``host``."""
        return replace(self, job=job, host=host)

    def to_dict(self) -> dict:
        """A JSON-ready dict: ``kind, metric, job, host, step, value, text, severity``
        (non-finite numbers become None)."""
        out = asdict(self)
        out.pop("details")
        for key in ("step", "value"):
            number = out[key]
            out[key] = number if number is not None and math.isfinite(number) else None
        return out


#: The name the chart has used so far.
Diagnosis = Finding


def has_errors(findings) -> bool:
    """True when any finding has severity ``error``."""
    return any(f.severity == "error" for f in findings)


def about_instance(finding: Finding) -> bool:
    """True for a finding about an instance (its utilization), not about a metric's curve."""
    from metricwidgets.core.diagnosis._instance_types import UTILIZATION_METRICS

    return finding.metric in UTILIZATION_METRICS


def merge_findings(*groups) -> list[Finding]:
    """One list of the findings of every producer: errors first, then warnings, then
    information (each group's order kept within a severity), and each finding once.

    A finding is the same one when its ``kind``, ``job``, ``host`` and ``metric`` are: a
    producer run again on more data says it again with new figures, and the first said
    wins (give the newest group first).
    """
    rank = {severity: i for i, severity in enumerate(SEVERITIES)}
    seen: set[tuple] = set()
    merged = []
    for finding in (f for group in groups for f in group):
        identity = (finding.kind, finding.job, finding.host, finding.metric)
        if identity not in seen:
            seen.add(identity)
            merged.append(finding)
    return sorted(merged, key=lambda f: rank.get(f.severity, len(rank)))


def labelled(findings, jobs=(), hosts=()) -> list[tuple[str, Finding]]:
    """Each finding with whom it is about, for a list that mixes them: its job when
    ``jobs`` (those shown) are several, its host when ``hosts`` are several or the finding
    is about an instance (``"job-2 / algo-1"``, ``"algo-2"``; '' when there is only one)."""
    several_jobs = len(set(jobs) | {f.job for f in findings if f.job}) > 1
    several_hosts = len(set(hosts)) > 1
    out = []
    for finding in findings:
        who = [finding.job] if several_jobs and finding.job else []
        if finding.host and (several_hosts or about_instance(finding)):
            who.append(finding.host)
        out.append((" / ".join(who), finding))
    return out
