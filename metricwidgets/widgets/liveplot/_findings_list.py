"""The one list of a plot's findings: the metric diagnoses and the instances' findings together.

Under the metric charts, one line per finding in plain words (errors first), each naming the
job when the plot shows several and the host when there are several or the finding is about
an instance. What is found, merged and labelled is decided in the core
(:func:`~metricwidgets.core.diagnosis.merge_findings`,
:func:`~metricwidgets.core.diagnosis.labelled`); this widget only shows it.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from metricwidgets.core.diagnosis import labelled
from metricwidgets.widgets.liveplot._chart_marks import DIAG_COLOUR

__all__ = ["FindingsList", "finding_html"]


def finding_html(owner: str, finding) -> str:
    """One finding as a line of the list: a diamond, whom it is about, its text."""
    colour = DIAG_COLOUR.get(finding.severity, "#333")
    who = f"<b>{html.escape(owner)}</b>: " if owner else ""
    return (f'<span class="metricwidgets-diagnosis metricwidgets-{html.escape(finding.kind)} '
            f'metricwidgets-{html.escape(finding.severity)}" style="color:{colour}">'
            f"&#9670; {who}{html.escape(finding.text)}</span>")


class FindingsList(widgets.HTML):
    """The findings of a plot, one line each; empty (and taking no room) without any.

    Attributes
    ----------
    findings : list of Finding
        Those shown, in order.
    lines : list of str
        The same as plain text (``"algo-2: the GPU sat mostly idle ..."``), for tests and
        for a reader of the widget's state.
    """

    def __init__(self):
        super().__init__("")
        self.findings: list = []
        self.lines: list[str] = []
        self.add_class("metricwidgets-findings")

    def show(self, findings, jobs=(), hosts=()) -> None:
        """Show ``findings`` (already merged), naming jobs and hosts as ``jobs`` and
        ``hosts`` (those the plot shows) require; no message is sent when nothing changed."""
        named = labelled(findings, jobs, hosts)
        self.findings = [finding for _, finding in named]
        self.lines = [f"{owner}: {f.text}" if owner else f.text for owner, f in named]
        value = "<br>".join(finding_html(owner, f) for owner, f in named)
        if self.value != value:
            self.value = value
