"""The LivePlot's header: what is watched, where it stands, and the warnings that matter.

Rendered as one ``ipywidgets.HTML`` from a :class:`~metricwidgets.polling.watch.Watch`'s public state;
every piece of text that came from a log, a job or a user is HTML-escaped.
"""

from __future__ import annotations

import html
import math
import time

import ipywidgets as widgets

from metricwidgets.core.values import DROP_REASONS

__all__ = ["Header", "render_header", "format_duration"]

_STATUS_COLOUR = {"InProgress": "#1f77b4", "Completed": "#2ca02c", "Failed": "#d62728",
                  "Stopped": "#7f7f7f", "Stopping": "#7f7f7f", "NotFound": "#d62728"}
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


def _status_line(name: str, status, now: float) -> str:
    colour = _STATUS_COLOUR.get(status.status, "#333")
    parts = [f"<b>{_e(name)}</b>",
             f"<span class='metricwidgets-status' style='color:{colour}'>{_e(status.status)}</span>"]
    if status.secondary_status and status.secondary_status != status.status:
        parts.append(_e(status.secondary_status))
    if status.message:
        parts.append(f"<i>{_e(status.message)}</i>")
    if status.start_time:
        end = status.end_time or now
        parts.append(f"elapsed {format_duration(end - status.start_time)}")
    if status.billable_seconds is not None:
        parts.append(f"billable {format_duration(status.billable_seconds)}")
    if status.exit_code is not None:
        parts.append(f"exit code {status.exit_code}")
    return " &middot; ".join(parts)


def _warnings(watch, stats) -> list[str]:
    out = []
    for name, stat in stats.items():
        if stat.disabled:
            out.append(f"definition <b>{_e(name)}</b> disabled: {_e(stat.disabled)}")
        elif stat.matches == 0:
            out.append(f"definition <b>{_e(name)}</b> has matched no line yet")
        for reason in ("not-a-number", "empty"):
            count = stat.dropped.get(reason)
            if count:
                example = stat.examples.get(reason)
                shown = f" (line {example.line}: {_e(repr(example.captured))})" if example else ""
                out.append(f"definition <b>{_e(name)}</b>: {count} capture(s) dropped, "
                           f"{_e(DROP_REASONS[reason])}{shown}")
    for status in list(getattr(watch, "statuses", {}).values()):
        if status.failure_reason:
            out.append(f"{_e(status.name)} failed: {_e(status.failure_reason)}")
        if status.status == "Failed" and status.last_lines:
            tail = "\n".join(status.last_lines[-5:])
            out.append(f"last output of {_e(status.name)}:<pre style='margin:0'>{_e(tail)}</pre>")
    error = getattr(watch, "error", None)
    if error is not None:
        out.append(_e(error))
    messages = [m for m in list(getattr(watch, "messages", ())) if m.level != "info"]
    for message in reversed(messages[-MAX_MESSAGES:]):
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
    return ("<table class='metricwidgets-final'><tr><th>job</th><th>metric</th>"
            "<th>FinalMetricDataList</th><th>last parsed from the logs</th></tr>"
            + "".join(rows) + "</table>")


def render_header(watch, last_update: float | None = None, now: float | None = None,
                  extra_warnings: list[str] | None = None) -> str:
    """The header's HTML for ``watch`` (an object with the Watch API)."""
    now = time.time() if now is None else now
    statuses = dict(getattr(watch, "statuses", {}))
    lines = []
    if statuses:
        shown = list(statuses.values())
        for status in shown[:6]:
            lines.append(_status_line(status.name, status, now))
        if len(shown) > 6:
            lines.append(f"... and {len(shown) - 6} more jobs")
    else:
        lines.append(f"<b>{_e(getattr(watch, 'name', ''))}</b> waiting for the first poll")
    store = watch.store
    counts = {}
    last_values = {}
    for snap in store.snapshots():
        counts[snap.key.metric] = counts.get(snap.key.metric, 0) + len(snap)
        if len(snap):
            last_values[(snap.key.source, snap.key.metric)] = float(snap.value[-1])
    points = ", ".join(f"{_e(m)}: {n}" for m, n in counts.items()) or "no points yet"
    updated = ("last update " + time.strftime("%H:%M:%S UTC", time.gmtime(last_update))
               if last_update else "no data yet")
    lines.append(f"<span class='metricwidgets-counts'>{updated} &middot; points {points}</span>")
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
                extra_warnings: list[str] | None = None) -> None:
        text = render_header(watch, last_update, extra_warnings=extra_warnings)
        if text != self.value:
            self.value = text
