"""HTML of the regex playground: the highlighted sample, per-definition tables, limits, export.

Pure functions from a :class:`~metricwidgets.core.authoring.SampleReport` to HTML text,
shown through ``ipywidgets.HTML``. Every piece of text that came from a log, a user or a job
(lines, captures, names, regexes, messages) goes through :func:`esc`: a sample holding
``<img src=x onerror=alert(1)>`` shows as text and adds no element.
"""

from __future__ import annotations

import html
import math
from typing import Iterable, Sequence

import numpy as np

from metricwidgets.core.parsing import (MAX_DEFINITIONS, NAME_MAX_LENGTH, REGEX_MAX_LENGTH,
                                            MetricDefinition, definitions_to_json, is_risky,
                                            validate_definitions)
from metricwidgets.core.authoring import DefinitionReport, SampleReport

__all__ = ["esc", "colour", "count_text", "render_report", "render_sample",
           "render_definition", "render_limits", "render_row_status", "sparkline_svg",
           "python_export", "json_export", "export_notes", "render_export", "TABLE_ROWS"]

#: Rows of each definition's table shown in the page (the report keeps more).
TABLE_ROWS = 50
_PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
            "#7f7f7f", "#bcbd22", "#17becf"]
#: Light backgrounds for matches, one per palette colour (hex + alpha).
_ALPHA = "33"

_STYLE = """<style>
.mw-pg-report {font-size: 12px;}
.mw-pg-report pre, .mw-pg-report code {font-family: var(--jp-code-font-family, monospace);}
.mw-sample-view {max-height: 22em; overflow: auto; border: 1px solid #ddd; padding: 2px 0;
  white-space: pre; font-family: var(--jp-code-font-family, monospace); font-size: 12px;}
.mw-line {min-height: 1.3em; padding: 0 4px;}
.mw-ln {display: inline-block; width: 4em; color: #999; text-align: right; margin-right: 8px;
  user-select: none;}
.mw-g1 {font-weight: bold; text-decoration: underline; text-decoration-thickness: 2px;}
.mw-def-report {margin: 6px 0; padding: 4px 6px; border-left: 4px solid #ccc;}
.mw-def-report table {border-collapse: collapse; font-size: 12px;}
.mw-def-report td, .mw-def-report th {border-bottom: 1px solid #eee; padding: 1px 8px;
  text-align: left; white-space: pre;}
.mw-drop {color: #b35900;}
.mw-error {color: #c00;}
.mw-muted {color: #777;}
.mw-unmatched {color: #b35900;}
</style>"""


def esc(text) -> str:
    """HTML-escape anything (quotes too: text may land inside an attribute)."""
    return html.escape(str(text), quote=True)


def colour(index: int) -> str:
    """The colour of definition ``index`` (stable while the list does not change order)."""
    return _PALETTE[index % len(_PALETTE)]


def count_text(n: int, one: str = "match", many: str = "matches") -> str:
    return f"{n:,} {one if n == 1 else many}"


# ---------------------------------------------------------------- the sample

def _segments(length: int, intervals: list[tuple[int, int, str, int]]):
    """Cut ``[0, length)`` at every interval edge; yield (start, end, covering intervals)."""
    cuts = {0, length}
    for a, b, _, _ in intervals:
        cuts.update((max(0, min(a, length)), max(0, min(b, length))))
    edges = sorted(cuts)
    for a, b in zip(edges, edges[1:]):
        if a < b:
            yield a, b, [iv for iv in intervals if iv[0] <= a and b <= iv[1]]


def _render_line(number: int, line: str, hits) -> str:
    intervals = []
    for index, row in hits:
        intervals.append((row.match[0], row.match[1], "match", index))
        if row.group is not None:
            intervals.append((row.group[0], row.group[1], "group", index))
    parts = []
    for a, b, cover in _segments(len(line), intervals):
        text = esc(line[a:b])
        if not cover:
            parts.append(text)
            continue
        first = min(iv[3] for iv in cover)
        in_group = [iv[3] for iv in cover if iv[2] == "group"]
        classes = "mw-hit" + (" mw-g1" if in_group else "")
        background = colour(first) + ("66" if in_group else _ALPHA)
        parts.append(f'<span class="{classes}" data-def="{first}" '
                     f'style="background:{background}">{text}</span>')
    return (f'<div class="mw-line"><span class="mw-ln">{number}</span>'
            f'{"".join(parts)}</div>')


def render_sample(report: SampleReport) -> str:
    """The shown lines of the sample, each match highlighted and group 1 marked."""
    if not report.lines:
        return '<div class="mw-sample-view mw-muted">(no sample: paste log text above)</div>'
    rows = [_render_line(k, line, report.spans(k))
            for k, line in enumerate(report.lines, start=1)]
    more = ""
    if report.total_lines > len(report.lines):
        more = (f'<div class="mw-muted">… {report.total_lines - len(report.lines):,} more '
                f'lines (counted, not shown)</div>')
    return f'<div class="mw-sample-view">{"".join(rows)}</div>{more}'


# ---------------------------------------------------------------- per definition

def sparkline_svg(values: Sequence[float], width: int = 160, height: int = 28) -> str:
    """A tiny inline SVG line of ``values`` (no script, no external reference)."""
    values = np.asarray(values, np.float64)
    values = values[np.isfinite(values)]
    if len(values) < 2:
        return ""
    lo, hi = float(values.min()), float(values.max())
    span = hi - lo or 1.0
    xs = np.linspace(1, width - 1, len(values))
    ys = height - 1 - (values - lo) / span * (height - 2)
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys))
    return (f'<svg class="mw-sparkline" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}"><polyline fill="none" stroke="#1f77b4" '
            f'stroke-width="1.2" points="{points}"/></svg>'
            f' <span class="mw-muted">{_num(lo)} … {_num(hi)}</span>')


def _num(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{value:.6g}"


def _counts(d: DefinitionReport) -> str:
    parts = [count_text(d.matches), count_text(d.points, "value", "values")]
    for reason, n in d.dropped.items():
        parts.append(f'<span class="mw-drop">{n:,} dropped: {esc(reason)}</span>')
    return " &middot; ".join(parts)


def render_row_status(d: DefinitionReport | None) -> str:
    """The short status next to a definition row: its count, or why it cannot run."""
    if d is None:
        return '<span class="mw-muted">…</span>'
    if d.disabled:
        return '<span class="mw-error">disabled</span>'
    if not d.usable:
        return '<span class="mw-error">error</span>'
    style = "" if d.matches else ' style="color:#c00"'
    return f"<b{style}>{count_text(d.matches)}</b>"


def render_definition(d: DefinitionReport) -> str:
    """One definition's section: counts, preview chart, problems and its first rows."""
    head = (f'<div class="mw-def-report" data-def="{d.index}" '
            f'style="border-left-color:{colour(d.index)}">'
            f'<b>{esc(d.name) or "<i>(no name)</i>"}</b> <code>{esc(d.regex)}</code><br>')
    body = []
    for error in d.errors:
        body.append(f'<div class="mw-error">{esc(error.reason)}'
                    + (f" (position {error.position})" if error.position is not None else "")
                    + "</div>")
    if d.disabled:
        body.append(f'<div class="mw-error">{esc(d.disabled)}</div>')
    if d.usable:
        body.append(f"<div>{_counts(d)} {sparkline_svg(d.values)}</div>")
    if d.rows:
        cells = []
        for row in d.rows[:TABLE_ROWS]:
            value = (_num(row.value) if row.reason is None
                     else f'<span class="mw-drop">dropped: {esc(row.reason_text)}</span>')
            captured = "<i>(no group)</i>" if row.captured is None else esc(repr(row.captured))
            cells.append(f"<tr><td>{row.line}</td><td>{captured}</td><td>{value}</td></tr>")
        if d.matches > TABLE_ROWS:
            cells.append(f'<tr><td colspan="3" class="mw-muted">… {d.matches - TABLE_ROWS:,} '
                         f"more</td></tr>")
        body.append("<table><tr><th>line</th><th>captured</th><th>value</th></tr>"
                    + "".join(cells) + "</table>")
    return head + "".join(body) + "</div>"


# ---------------------------------------------------------------- the whole

def render_limits(definitions: Sequence[MetricDefinition], report: SampleReport | None) -> str:
    """SageMaker's limits, and the errors about the whole list."""
    n = len(definitions)
    style = ' class="mw-error"' if n > MAX_DEFINITIONS else ""
    text = (f"<span{style}>{n} of {MAX_DEFINITIONS} definitions</span> &middot; Name 1–"
            f"{NAME_MAX_LENGTH} characters &middot; Regex 1–{REGEX_MAX_LENGTH} characters "
            f"&middot; names unique &middot; the value is group 1, searched on each line "
            f"(tabs are <code>#011</code>)")
    if report is not None:
        for error in report.errors:
            text += f'<div class="mw-error">{esc(error.reason)}</div>'
    return f'<div class="mw-limits mw-muted">{text}</div>'


def render_report(report: SampleReport) -> str:
    """The report panel: unmatched metric lines, the highlighted sample, each definition."""
    parts = [_STYLE, '<div class="mw-pg-report">']
    for miss in report.unmatched[:20]:
        parts.append(f'<div class="mw-unmatched">{esc(miss.message)}</div>')
    if len(report.unmatched) > 20:
        parts.append(f'<div class="mw-unmatched">… {len(report.unmatched) - 20} more lines '
                     f"with metrics no definition takes</div>")
    parts.append(render_sample(report))
    parts.extend(render_definition(d) for d in report.definitions)
    parts.append(f'<div class="mw-muted">{count_text(report.total_lines, "line", "lines")}, '
                 f"{report.seconds * 1000:.0f} ms</div></div>")
    return "".join(parts)


# ---------------------------------------------------------------- export

def _py_string(text: str) -> str:
    """A Python literal for ``text``: a raw string when one can say it, else ``repr``."""
    if ('"' not in text and "\n" not in text and "\r" not in text
            and not text.endswith("\\") and text.isprintable()):
        return f'r"{text}"' if "\\" in text else f'"{text}"'
    return repr(text)


def python_export(definitions: Iterable[MetricDefinition]) -> str:
    """``metric_definitions=[...]`` for a SageMaker Estimator (evaluates to the list)."""
    items = [f'    {{"Name": {_py_string(d.name)}, "Regex": {_py_string(d.regex)}}},'
             for d in definitions]
    return "metric_definitions=[\n" + "\n".join(items) + ("\n" if items else "") + "]"


def json_export(definitions: Iterable[MetricDefinition]) -> str:
    """The JSON of ``AlgorithmSpecification.MetricDefinitions``."""
    return definitions_to_json(list(definitions))


def export_notes(definitions: Sequence[MetricDefinition]
                 ) -> tuple[list[MetricDefinition], list[str]]:
    """(what to export, a warning line per problem): a definition with an error (one that
    SageMaker would refuse, or a regex without a group) is left out and named; a regex that
    may backtrack catastrophically (a repeat over an ambiguous body such as ``(a+)+``) is
    exported with a warning, whatever the sample shows: one short sample line never
    reveals it, a long log line in the job can take minutes."""
    problems = validate_definitions(definitions)
    broken = {p.name for p in problems if p.name is not None}
    notes = [f"left out: {p}" for p in problems if p.name is not None]
    notes += [str(p) for p in problems if p.name is None]
    kept = [d for d in definitions if d.name not in broken]
    for d in kept:
        if is_risky(d.regex):
            notes.append(f"warning: {d.name!r}: the regex nests repeats ({d.regex!r}): it may "
                         "backtrack catastrophically on a long line, and SageMaker has no "
                         "time limit; make the inner or outer repeat possessive or narrower")
    return kept, notes


def render_export(definitions: Sequence[MetricDefinition]) -> str:
    """Both exports, in ``<pre>`` blocks a user can select and copy, of the definitions
    without errors; above them, one line for each one left out and each risky regex."""
    kept, notes = export_notes(definitions)
    said = "".join(f'<div class="mw-export-note">{esc(note)}</div>' for note in notes)
    return (f'<div class="mw-export">{said}<div class="mw-muted">For an Estimator:</div>'
            f'<pre class="mw-export-python" style="user-select:all">'
            f"{esc(python_export(kept))}</pre>"
            f'<div class="mw-muted">For <code>AlgorithmSpecification.MetricDefinitions</code>'
            f' (JSON):</div><pre class="mw-export-json" style="user-select:all">'
            f"{esc(json_export(kept))}</pre></div>")
