"""The LivePlot's header: what is watched, where it stands, and the warnings that matter.

Rendered as one ``ipywidgets.HTML`` from a :class:`~metricwidgets.polling.watch.Watch`'s public state;
every piece of text that came from a log, a job or a user is HTML-escaped.
"""

from __future__ import annotations

import html
import math
import re
import time

import ipywidgets as widgets

from metricwidgets.core.parsing import DROP_REASONS
from metricwidgets.widgets.liveplot._watched_values import values_are

__all__ = ["Header", "render_header", "format_duration"]

_STATUS_COLOUR = {"InProgress": "#1f77b4", "Completed": "#2ca02c", "Failed": "#d62728",
                  "Stopped": "#7f7f7f", "Stopping": "#7f7f7f", "NotFound": "#d62728"}
#: Final-metric rows shown unfolded; more are folded under one summary line.
FINAL_ROWS_SHOWN = 4
#: Messages shown at most (newest first).
MAX_MESSAGES = 4


def format_duration(seconds: float | None) -> str:
    """``3725`` -> ``1h 02m 05s``; None or NaN -> ``-``."""
    if seconds is None or not math.isfinite(seconds):
        return "-"
    seconds = int(max(seconds, 0))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m {secs:02d}s"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def _e(text) -> str:
    return html.escape(str(text))


def _said(text: str) -> str:
    return " ".join(str(text).lower().replace("_", " ").split())


def _status_line(name: str, status, now: float) -> str:
    """One line per job, every fact once: a secondary status equal to the status, a message
    that repeats either (or the failure reason, shown with the warnings), and an exit code
    the message already gives are left out."""
    colour = _STATUS_COLOUR.get(status.status, "#333")
    parts = [f"<b>{_e(name)}</b>",
             f"<span class='metricwidgets-status' style='color:{colour}'>{_e(status.status)}</span>"]
    said = {_said(status.status)}
    if status.secondary_status and _said(status.secondary_status) not in said:
        parts.append(_e(status.secondary_status))
        said.add(_said(status.secondary_status))
    message = status.message or ""
    if message and _said(message) not in said and \
            _said(message) != _said(status.failure_reason or ""):
        parts.append(f"<i>{_e(message)}</i>")
    elapsed = format_duration((status.end_time or now) - status.start_time) \
        if status.start_time else None
    billable = format_duration(status.billable_seconds) \
        if status.billable_seconds is not None else None
    if elapsed is not None and elapsed == billable:
        parts.append(f"elapsed and billable {elapsed}")
    else:
        parts += [f"{what} {value}" for what, value in (("elapsed", elapsed),
                                                         ("billable", billable)) if value]
    if status.exit_code is not None and f"code {status.exit_code}" not in _said(message):
        parts.append(f"exit code {status.exit_code}")
    return " &middot; ".join(parts)


def _children_table(children: list, now: float) -> str:
    """A tuning job's children, folded: one summary line, a table on demand."""
    counts: dict[str, int] = {}
    for status in children:
        counts[status.status] = counts.get(status.status, 0) + 1
    summary = ", ".join(f"{n} {_e(_said_status(s))}" for s, n in counts.items())
    rows = "".join(
        f"<tr><td>{_e(c.name)}</td><td>{_e(c.status)}</td>"
        f"<td>{format_duration((c.end_time or now) - c.start_time) if c.start_time else '-'}"
        f"</td></tr>" for c in children)
    return (f"<details class='metricwidgets-children'><summary>{len(children)} training jobs: "
            f"{summary}</summary><table><tr><th>job</th><th>status</th><th>elapsed</th></tr>"
            f"{rows}</table></details>")


def _said_status(status: str) -> str:
    """SageMaker's status in plain words: ``InProgress`` -> ``in progress``."""
    return " ".join(re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+", status)).lower() or status


def _names(names: list[str]) -> str:
    return ", ".join(f"<b>{_e(n)}</b>" for n in names)


def _definition_warnings(watch, stats) -> list[str]:
    out = []
    # Every definition that matched nothing in one sentence (not one line each); points
    # that arrive as numbers (CloudWatch's averages) match no line by design.
    unmatched = [] if values_are(watch) else \
        [name for name, stat in stats.items() if not stat.disabled and stat.matches == 0]
    if unmatched:
        out.append(f"definition{'s' * (len(unmatched) > 1)} {_names(unmatched)} "
                   f"{'have' if len(unmatched) > 1 else 'has'} matched no line yet")
    for name, stat in stats.items():
        if stat.disabled:
            out.append(f"definition <b>{_e(name)}</b> disabled: {_e(stat.disabled)}")
        for reason in ("not-a-number", "empty"):
            count = stat.dropped.get(reason)
            if count:
                example = stat.examples.get(reason)
                shown = f" (line {example.line}: {_e(repr(example.captured))})" if example else ""
                out.append(f"definition <b>{_e(name)}</b>: {count} capture(s) dropped, "
                           f"{_e(DROP_REASONS[reason])}{shown}")
    return out


def _failure_warnings(statuses: list) -> list[str]:
    out = []
    several = len(statuses) > 1  # one job: its name and "Failed" are in the status line
    for status in statuses:
        if status.failure_reason:
            out.append(f"{_e(status.name)} failed: {_e(status.failure_reason)}" if several
                       else f"reason: {_e(status.failure_reason)}")
        if status.status == "Failed" and status.last_lines:
            tail = "\n".join(status.last_lines[-5:])
            whose = f" of {_e(status.name)}" if several else ""
            out.append(f"last output{whose}:<pre style='margin:0'>{_e(tail)}</pre>")
    return out


def _warnings(watch, stats) -> list[str]:
    statuses = list(getattr(watch, "statuses", {}).values())
    out = _definition_warnings(watch, stats) + _failure_warnings(statuses)
    error = getattr(watch, "error", None)
    if error is not None:
        out.append(_e(error))
    messages = [m for m in list(getattr(watch, "messages", ())) if m.level != "info"]
    reasons = [_said(s.failure_reason) for s in statuses if s.failure_reason]
    for message in reversed(messages[-MAX_MESSAGES:]):
        if any(reason in _said(message.text) for reason in reasons):
            continue  # the failure reason is already shown once
        clock = time.strftime("%H:%M:%S", time.gmtime(message.time))
        out.append(f"{clock} {_e(message.text)}")
    return out


def _final_metrics(watch, last_values: dict) -> str:
    rows = []
    for status in list(getattr(watch, "statuses", {}).values()):
        if not status.terminal or not status.final_metrics:
            continue
        for metric, value in sorted(status.final_metrics.items()):
            parsed = last_values.get((status.name, metric))
            rows.append(f"<tr><td>{_e(status.name)}</td><td>{_e(metric)}</td>"
                        f"<td>{value:.6g}</td>"
                        f"<td>{'-' if parsed is None else f'{parsed:.6g}'}</td></tr>")
    if not rows:
        return ""
    said = values_are(watch)
    last = f"last of the {_e(said)}" if said else "last parsed from the logs"
    table = ("<table class='metricwidgets-final'><tr><th>job</th><th>metric</th>"
             f"<th>FinalMetricDataList</th><th>{last}</th></tr>"
             + "".join(rows) + "</table>")
    if len(rows) <= FINAL_ROWS_SHOWN:
        return table
    # Many jobs' final metrics would push the chart below the fold: folded, on demand.
    return (f"<details class='metricwidgets-final-folded'><summary>final metrics "
            f"({len(rows)} values)</summary>{table}</details>")


def _counts(watch, last_update: float | None, hidden_sources) -> tuple[str, dict]:
    """The counts line (points per metric of the jobs shown) and the last value of every
    series by (job, metric), shown or not (the final-metrics table lists every job)."""
    counts: dict[str, int] = {}
    last_values = {}
    hidden = set(hidden_sources)
    for snap in watch.store.snapshots():
        if len(snap):
            last_values[(snap.key.source, snap.key.metric)] = float(snap.value[-1])
        if snap.key.source not in hidden:  # the counts follow the jobs shown
            counts[snap.key.metric] = counts.get(snap.key.metric, 0) + len(snap)
    points = ", ".join(f"{_e(m)}: {n}" for m, n in counts.items())
    said = values_are(watch)
    if not (last_update and (points or last_values)):
        return "no metric values yet: the chart appears with the first one", last_values
    clock = "last update " + time.strftime("%H:%M:%S UTC", time.gmtime(last_update))
    if not points:
        return f"{clock} &middot; no job shown", last_values
    return f"{clock} &middot; {_e(said) if said else 'points'} {points}", last_values


def render_header(watch, last_update: float | None = None, now: float | None = None,
                  extra_warnings: list[str] | None = None, hidden_sources=()) -> str:
    """The header's HTML for ``watch`` (an object with the Watch API); the point counts
    leave out the jobs of ``hidden_sources`` (unticked, or taken off an overlay)."""
    now = time.time() if now is None else now
    statuses = dict(getattr(watch, "statuses", {}))
    lines = []
    if statuses:
        shown = list(statuses.values())
        if len(shown) > 2 and getattr(watch, "tuning_job_name", None) is None:
            # Jobs compared side by side: peers, none of them the headline.
            lines.append(_children_table(shown, now))
        else:
            lines.append(_status_line(shown[0].name, shown[0], now))
            if len(shown) > 2:  # a tuning job: its children folded into one line
                lines.append(_children_table(shown[1:], now))
            elif len(shown) == 2:
                lines.append(_status_line(shown[1].name, shown[1], now))
    else:
        lines.append(f"<b>{_e(getattr(watch, 'name', ''))}</b> waiting for the job's first "
                     "status")
    counted, last_values = _counts(watch, last_update, hidden_sources)
    lines.append(f"<span class='metricwidgets-counts'>{counted}</span>")
    try:
        stats = watch.definition_stats()
    except Exception:  # a header must render whatever state the watch is in
        stats = {}
    warnings = _warnings(watch, stats) + list(extra_warnings or [])
    if warnings:
        lines.append("<div class='metricwidgets-warnings' style='color:#b35900'>"
                     + "<br>".join(f"&#9888; {w}" for w in warnings) + "</div>")
    final = _final_metrics(watch, last_values)
    if final:
        lines.append(final)
    return "<div class='metricwidgets-header'>" + "<br>".join(lines) + "</div>"


class Header(widgets.HTML):
    """The header widget; :meth:`refresh` re-renders it (only sends when the text changed)."""

    def refresh(self, watch, last_update: float | None = None,
                extra_warnings: list[str] | None = None, hidden_sources=()) -> None:
        text = render_header(watch, last_update, extra_warnings=extra_warnings,
                             hidden_sources=hidden_sources)
        if text != self.value:
            self.value = text
