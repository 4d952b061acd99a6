"""The one list of a plot's findings: the metric diagnoses and the instances' findings together.

Under the metric charts, one line per finding in plain words (errors first), each naming the
job when the plot shows several and the host when there are several or the finding is about
an instance. What is found, merged and labelled is decided in the core
(:func:`~metricwidgets.core.diagnosis.merge_findings`,
:func:`~metricwidgets.core.diagnosis.labelled`); this widget only shows it.

Each line carries, in ``data-`` attributes, what the JupyterLab extension needs to tell a
finding that *appears* (its notifications, ``labextension/src/notifications.ts``): the
plot (``data-plot``, one id per plot), the finding (``data-finding``: its kind, job, host and
metric), the job, and ``data-notify`` on a warning or error that appeared while the job ran
after the plot's first look (never on what the plot opened on). The extension reads the page,
so where it is absent (VS Code, a plain widget renderer) the list is just a list.
"""

from __future__ import annotations

import html
import uuid

import ipywidgets as widgets

from metricwidgets.core.diagnosis import labelled
from metricwidgets.widgets.liveplot._chart_marks import DIAG_COLOUR

__all__ = ["ANNOUNCED", "FindingsList", "finding_html", "finding_key"]


#: Severities a finding must have to be announced when it appears.
ANNOUNCED = ("error", "warning")


def finding_key(finding) -> str:
    """The finding's identity as one string (kind, job, host, metric)."""
    return "|".join((finding.kind, finding.job, finding.host, finding.metric))


def finding_html(owner: str, finding, plot: str = "", notify: bool = False) -> str:
    """One finding as a line of the list: a diamond, whom it is about, its text (and the
    ``data-`` attributes of the module's docstring)."""
    colour = DIAG_COLOUR.get(finding.severity, "#333")
    who = f"<b>{html.escape(owner)}</b>: " if owner else ""
    data = (f' data-plot="{html.escape(plot)}" data-finding="{html.escape(finding_key(finding))}"'
            f' data-job="{html.escape(finding.job)}"'
            f' data-severity="{html.escape(finding.severity)}"')
    if notify:
        data += ' data-notify="1"'
    return (f'<span class="metricwidgets-diagnosis metricwidgets-{html.escape(finding.kind)} '
            f'metricwidgets-{html.escape(finding.severity)}" style="color:{colour}"{data}>'
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
    news : set of str
        The :func:`finding_key` of each finding announced as it appeared.
    plot_id : str
    """

    def __init__(self):
        super().__init__("")
        self.findings: list = []
        self.lines: list[str] = []
        self.news: set[str] = set()
        self.plot_id = uuid.uuid4().hex
        self._known: set[str] | None = None  # None until the first look
        self.add_class("metricwidgets-findings")

    def show(self, findings, jobs=(), hosts=(), live: bool = False, looked: bool = True) -> None:
        """Show ``findings`` (already merged), naming jobs and hosts as ``jobs`` and
        ``hosts`` (those the plot shows) require; no message is sent when nothing changed.
        ``live``: the job runs, so a warning or error not seen before is news. ``looked``:
        the watch has been polled (a plot made before its watch's first poll has not yet
        looked at the job: what that poll finds is what it opened on, not news)."""
        named = labelled(findings, jobs, hosts)
        keys = [finding_key(f) for _, f in named]
        if self._known is not None and live:
            self.news |= {k for k, (_, f) in zip(keys, named)
                          if k not in self._known and f.severity in ANNOUNCED}
        if looked:
            self._known = (self._known or set()) | set(keys)
        self.findings = [finding for _, finding in named]
        self.lines = [f"{owner}: {f.text}" if owner else f.text for owner, f in named]
        value = "<br>".join(finding_html(owner, f, self.plot_id, k in self.news)
                            for k, (owner, f) in zip(keys, named))
        if self.value != value:
            self.value = value
