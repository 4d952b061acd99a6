"""The playground's definition rows: name + regex inputs, add / remove / duplicate, import.

Each row shows its live match count, its validation errors and its lint warnings; a warning
with a suggested regex carries an "apply fix" button. Rows hold no parsing logic: they
report edits through one callback, ``on_change(immediate)`` (``immediate`` False for
keystrokes, which the playground debounces; True for clicks).
"""

from __future__ import annotations

from typing import Callable, Sequence

import ipywidgets as widgets

from metricwidgets.errors import error_line

from metricwidgets.core.parsing import MetricDefinition, load_definitions
from metricwidgets.core.authoring import LINT_CODES
from metricwidgets.core.authoring import DefinitionReport
from metricwidgets.widgets.playground._html import colour, esc, render_row_status

__all__ = ["DefinitionRow", "DefinitionRows", "ImportBox"]


class DefinitionRow(widgets.VBox):
    """One definition being edited.

    Attributes
    ----------
    name, regex : ipywidgets.Text
    count : ipywidgets.HTML
        The live match count (CSS class ``mw-def-count``).
    issues : ipywidgets.VBox
        Errors and warnings, each warning with its "apply fix" button.
    fix_buttons : list of ipywidgets.Button
        The "apply fix" buttons now shown, in order (``button.suggestion`` is the regex).
    """

    def __init__(self, name: str = "", regex: str = "", on_change=None, on_remove=None,
                 on_duplicate=None):
        self._on_change = on_change or (lambda immediate: None)
        self.name = widgets.Text(value=name, placeholder="Name (e.g. validation:error)",
                                 continuous_update=True,
                                 layout=widgets.Layout(width="22%"))
        self.name.add_class("mw-def-name")
        self.regex = widgets.Text(value=regex, placeholder=r"Regex, value in group 1",
                                  continuous_update=True, layout=widgets.Layout(width="48%"))
        self.regex.add_class("mw-def-regex")
        self.count = widgets.HTML(render_row_status(None), layout=widgets.Layout(width="11%"))
        self.count.add_class("mw-def-count")
        self.swatch = widgets.HTML("", layout=widgets.Layout(width="14px"))
        self.duplicate = widgets.Button(icon="copy", tooltip="Duplicate this definition",
                                        layout=widgets.Layout(width="34px"))
        self.duplicate.add_class("mw-def-duplicate")
        self.remove = widgets.Button(icon="trash", tooltip="Remove this definition",
                                     layout=widgets.Layout(width="34px"))
        self.remove.add_class("mw-def-remove")
        self.issues = widgets.VBox(layout=widgets.Layout(margin="0 0 0 18px"))
        self.issues.add_class("mw-def-issues")
        self.fix_buttons: list[widgets.Button] = []
        self.warnings = []
        for text in (self.name, self.regex):
            text.observe(lambda _change: self._on_change(False), names="value")
        if on_remove:
            self.remove.on_click(lambda _b: on_remove(self))
        if on_duplicate:
            self.duplicate.on_click(lambda _b: on_duplicate(self))
        line = widgets.HBox([self.swatch, self.name, self.regex, self.count, self.duplicate,
                             self.remove])
        super().__init__([line, self.issues])
        self.add_class("mw-def-row")

    @property
    def definition(self) -> MetricDefinition:
        """The row as a definition (as typed: it may be invalid)."""
        return MetricDefinition(self.name.value, self.regex.value)

    def show(self, index: int, report: DefinitionReport | None) -> None:
        """Show this row's results: count, errors, warnings with their fix buttons."""
        self.swatch.value = (f'<div style="width:10px;height:18px;margin-top:6px;'
                             f'background:{colour(index)}"></div>')
        self.count.value = render_row_status(report)
        if report is None:
            self.issues.children = ()
            self.fix_buttons = []
            return
        children, buttons = [], []
        for error in report.errors:
            children.append(_issue_html("error", esc(str(error))))
        if report.disabled:
            children.append(_issue_html("error", esc(report.disabled)))
        for warning in report.warnings:
            title = LINT_CODES.get(warning.code, warning.code)
            text = _issue_html(warning.severity,
                               f"<b>{esc(title)}</b>: {esc(warning.message)}"
                               + (f"<br>suggested: <code>{esc(warning.suggestion)}</code>"
                                  if warning.suggestion else ""))
            if warning.suggestion:
                button = widgets.Button(description="apply fix", icon="wrench",
                                        tooltip=f"Replace the regex by {warning.suggestion}",
                                        layout=widgets.Layout(width="auto", min_width="110px",
                                                              flex="0 0 auto"))
                button.add_class("mw-apply-fix")
                button.suggestion = warning.suggestion
                button.on_click(self._apply)
                buttons.append(button)
                children.append(widgets.HBox([text, button]))
            else:
                children.append(text)
        self.warnings = list(report.warnings)
        self.fix_buttons = buttons
        self.issues.children = tuple(children)

    def _apply(self, button) -> None:
        self.regex.value = button.suggestion
        self._on_change(True)


def _issue_html(kind: str, html_text: str) -> widgets.HTML:
    colours = {"error": "#c00", "warning": "#b35900", "info": "#666"}
    widget = widgets.HTML(f'<span style="color:{colours.get(kind, "#666")}">{html_text}</span>',
                          layout=widgets.Layout(flex="1 1 auto"))
    widget.add_class(f"mw-issue-{kind}")
    return widget


class DefinitionRows(widgets.VBox):
    """The list of definition rows, with an "add" button.

    Parameters
    ----------
    definitions : list of MetricDefinition
    on_change : callable(immediate: bool)
        Called after any edit.
    """

    def __init__(self, definitions: Sequence[MetricDefinition] = (),
                 on_change: Callable[[bool], None] | None = None):
        self._on_change = on_change or (lambda immediate: None)
        self.rows: list[DefinitionRow] = []
        self.add_button = widgets.Button(description="add definition", icon="plus",
                                         layout=widgets.Layout(width="auto"))
        self.add_button.add_class("mw-add-def")
        self.add_button.on_click(lambda _b: self.add())
        self.box = widgets.VBox()
        super().__init__([self.box, self.add_button])
        self.add_class("mw-def-rows")
        self.set_definitions(definitions, notify=False)

    @property
    def definitions(self) -> list[MetricDefinition]:
        """The rows as definitions, in order (as typed: validate before use)."""
        return [row.definition for row in self.rows]

    def _row(self, name: str, regex: str) -> DefinitionRow:
        return DefinitionRow(name, regex, self._on_change, self.remove, self.duplicate)

    def _show_rows(self, notify: bool = True) -> None:
        self.box.children = tuple(self.rows)
        if notify:
            self._on_change(True)

    def set_definitions(self, definitions: Sequence[MetricDefinition], notify: bool = True):
        """Replace every row."""
        self.rows = [self._row(d.name, d.regex) for d in definitions]
        self._show_rows(notify)

    def add(self, name: str = "", regex: str = "", notify: bool = True) -> DefinitionRow:
        """Append a row and return it."""
        row = self._row(name, regex)
        self.rows.append(row)
        self._show_rows(notify)
        return row

    def extend(self, definitions: Sequence[MetricDefinition]) -> None:
        """Append rows for ``definitions`` (one refresh for all)."""
        self.rows.extend(self._row(d.name, d.regex) for d in definitions)
        self._show_rows()

    def remove(self, row: DefinitionRow) -> None:
        if row in self.rows:
            self.rows.remove(row)
            self._show_rows()

    def duplicate(self, row: DefinitionRow) -> None:
        if row in self.rows:
            copy = self._row(_copy_name(row.name.value, {r.name.value for r in self.rows}),
                             row.regex.value)
            self.rows.insert(self.rows.index(row) + 1, copy)
            self._show_rows()

    def show(self, reports: Sequence[DefinitionReport] | None) -> None:
        """Show each row's results (``reports`` in row order; None clears them)."""
        for k, row in enumerate(self.rows):
            row.show(k, reports[k] if reports is not None and k < len(reports) else None)


def _copy_name(name: str, taken: set[str]) -> str:
    k = 2
    while f"{name} ({k})" in taken:
        k += 1
    return f"{name} ({k})"


class ImportBox(widgets.VBox):
    """Import definitions: pasted JSON (SageMaker's shape, ``NAME=REGEX`` lines or a
    ``DescribeTrainingJob`` answer) or a training job's own definitions.

    Parameters
    ----------
    on_import : callable(list of MetricDefinition)
    on_error : callable(str)
        Receives a one-line message (bad JSON, unknown job, no credentials).
    job_definitions : callable(job name) -> list of MetricDefinition
        Reads a job's definitions (AWS lives in the sources; the playground passes it in).
    """

    def __init__(self, on_import: Callable[[list], None], on_error: Callable[[str], None],
                 job_definitions: Callable[[str], list] | None = None):
        self._on_import, self._on_error = on_import, on_error
        self._job_definitions = job_definitions
        self.text = widgets.Textarea(placeholder='[{"Name": "train:error", "Regex": '
                                     '"Train_error=(.*?);"}]  or NAME=REGEX lines',
                                     rows=3, layout=widgets.Layout(width="70%"))
        self.text.add_class("mw-import-text")
        self.import_button = widgets.Button(description="import", icon="download")
        self.import_button.add_class("mw-import")
        self.import_button.on_click(lambda _b: self.import_text())
        self.job = widgets.Text(placeholder="training job name",
                                layout=widgets.Layout(width="40%"))
        self.job_button = widgets.Button(description="import from job", icon="cloud")
        self.job_button.add_class("mw-import-job")
        self.job_button.on_click(lambda _b: self.import_job())
        super().__init__([widgets.HBox([self.text, self.import_button]),
                          widgets.HBox([self.job, self.job_button])])
        self.add_class("mw-import-box")

    def import_text(self) -> None:
        text = self.text.value.strip()
        if not text:
            return
        try:
            if text.startswith(("[", "{")):
                definitions = load_definitions(text)
            else:
                definitions = load_definitions([line for line in text.splitlines()
                                                if line.strip()])
        except Exception as exc:  # a widget shows errors, it never raises them
            self._on_error(f"cannot import: {error_line(exc)}")
            return
        self._on_import(definitions)

    def import_job(self) -> None:
        name = self.job.value.strip()
        if not name or self._job_definitions is None:
            return
        try:
            definitions = self._job_definitions(name)
        except Exception as exc:
            self._on_error(f"cannot import from job {name!r}: {error_line(exc)}")
            return
        if not definitions:
            self._on_error(f"training job {name!r} has no metric definitions")
            return
        self._on_import(definitions)


