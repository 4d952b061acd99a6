"""``RegexPlayground``: author and test metric regexes against real log text, by SageMaker's rules.

Composed of small parts: the sample text area, the definition rows
(:mod:`~metricwidgets.widgets.playground._rows`), the suggested definitions
(:mod:`~metricwidgets.widgets.playground._suggestion_buttons`) and the report rendered as HTML
(:mod:`~metricwidgets.widgets.playground._html`) from
:func:`metricwidgets.core.authoring.build_report`, which holds all the logic.

Results follow typing, debounced: each keystroke restarts a 300 ms ``threading.Timer``;
when it fires, the report is built on that timer thread (the kernel stays free to answer)
and the widgets are updated from it, which ipywidgets allows (comm messages are sent through
the kernel's thread-safe IOPub channel). A generation counter drops a result that a newer
edit has made stale. Clicks (apply fix, add, remove, accept) refresh at once.

Nothing here raises into the notebook after construction: every error becomes a message in
the status line.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Sequence

import ipywidgets as widgets

from metricwidgets.errors import error_line

from metricwidgets.core.parsing import MetricDefinition, load_definitions
from metricwidgets.options import MetricOptions, resolve_options
from metricwidgets.core.parsing import strip_ansi
from metricwidgets.core.authoring import SampleReport, build_report
from metricwidgets.core.authoring import suggest_definitions
from metricwidgets.widgets.playground._html import (esc, render_export, render_limits,
                                                   render_report)
from metricwidgets.widgets.playground._loaders import (SampleLoader, job_definitions, read_file,
                                                      read_job, run_command)
from metricwidgets.widgets.playground._rows import DefinitionRows, ImportBox
from metricwidgets.widgets.playground._suggestion_buttons import SuggestionsBox

__all__ = ["RegexPlayground", "DEBOUNCE_SECONDS", "EDITABLE_CHARS"]

#: Quiet time after the last keystroke before results are recomputed.
DEBOUNCE_SECONDS = 0.3
#: Larger samples are not put in the text area (each keystroke sends the whole box to the
#: kernel, and a browser text box of megabytes is slow); they are analysed in full and the
#: text area shows their first lines, read-only.
EDITABLE_CHARS = 300_000
#: Lines shown in the read-only text area for a large sample.
_PREVIEW_LINES = 200


class RegexPlayground(widgets.VBox):
    """Test metric definitions against a sample of log text, with SageMaker's rules.

    Parameters
    ----------
    sample_text : str
        Log text (as the program printed it or as CloudWatch shows it).
    metric_definitions : anything :func:`~metricwidgets.core.parsing.load_definitions`
        reads (SageMaker's ``[{"Name", "Regex"}]``, ``NAME=REGEX`` strings, an Estimator, a
        ``DescribeTrainingJob`` answer, a JSON file path), or None.
    options : MetricOptions, optional
        Where to reach AWS when a job's log or definitions are loaded, or the job watched
        (default: :meth:`MetricOptions.build`, the ``METRICWIDGETS_*`` environment).
    job_name : str, optional
        The training job the sample came from (:meth:`from_job`): offers to watch it with
        the definitions written here.
    timer : callable
        Makes the debounce timer: ``timer(seconds, function, args=...)`` with ``start()``
        and ``cancel()``, as :class:`threading.Timer` (the default); tests inject a timer
        they fire themselves.

    Attributes
    ----------
    report : SampleReport or None
        The latest results.
    messages : list of str
        Errors and notes shown in the status line (newest last).
    rows : DefinitionRows
    suggestions : SuggestionsBox
    sample : ipywidgets.Textarea

    Notes
    -----
    The widget is usable from the kernel's main thread and from the debounce timer thread;
    :meth:`refresh` is serialised by a lock, and a keystroke never waits for it.
    """

    def __init__(self, sample_text: str = "", metric_definitions: Any = None, *,
                 options: MetricOptions | None = None, job_name: str | None = None,
                 timer: Callable[..., threading.Timer] = threading.Timer):
        self.messages: list[str] = []
        self.report: SampleReport | None = None
        self.options = options if options is not None else MetricOptions.build()
        self.job_name = job_name
        # _state guards the timer and the generation (held for microseconds, so a keystroke
        # never waits); _work serialises report building (which may take a second).
        self._state = threading.Lock()
        self._work = threading.Lock()
        self._timer: threading.Timer | None = None
        self._make_timer = timer
        self._generation = 0
        self._sample_text = ""
        self._suggested: list[dict] = []
        self._suggested_for: str | None = None
        self._closed = False

        try:
            definitions = load_definitions(metric_definitions)
        except Exception as exc:
            definitions = []
            self.add_message(f"cannot read the metric definitions: {error_line(exc)}")

        self.title = widgets.HTML("<b>Metric regex playground</b> &middot; SageMaker's rules")
        self.sample = widgets.Textarea(placeholder="Paste log lines here", rows=8,
                                       continuous_update=True,
                                       layout=widgets.Layout(width="98%"))
        self.sample.add_class("mw-sample")
        self.sample_note = widgets.HTML()
        self.sample.observe(self._sample_edited, names="value")
        self.rows = DefinitionRows(definitions, on_change=self._changed)
        self.limits = widgets.HTML()
        self.limits.add_class("mw-limits-box")
        self.importer = ImportBox(self.extend_definitions, self.add_message,
                                  lambda name: job_definitions(name, self.options))
        self.loader = SampleLoader(self._loaded, self.options)
        self.import_panel = widgets.Accordion([self.importer])
        self.import_panel.set_title(0, "Import definitions (JSON, NAME=REGEX, a job)")
        self.import_panel.selected_index = None
        self.suggestions = SuggestionsBox(self.extend_definitions)
        self.status = widgets.HTML()
        self.status.add_class("mw-status")
        self.results = widgets.HTML()
        self.results.add_class("mw-report")
        self.export = widgets.HTML()
        self.export.add_class("mw-export-box")
        self.watch_button = widgets.Button(description="watch this job with these definitions",
                                           icon="line-chart",
                                           layout=widgets.Layout(width="auto"))
        self.watch_button.add_class("mw-watch-job")
        self.watch_button.on_click(lambda _b: self.watch_job())
        self.watch_button.layout.display = "" if job_name else "none"
        self.watch_box = widgets.VBox()
        export_panel = widgets.Accordion([widgets.VBox([self.export, self.watch_button,
                                                        self.watch_box])])
        export_panel.set_title(0, "Export")
        export_panel.selected_index = 0
        super().__init__([self.title, self.loader, self.sample_note, self.sample,
                          widgets.HTML("<b>Definitions</b>"), self.rows, self.limits,
                          self.import_panel, self.suggestions, self.status, self.results,
                          export_panel])
        self.add_class("mw-playground")
        self.sample_text = sample_text or ""

    # -- public API ----------------------------------------------------------------------

    @property
    def metric_definitions(self) -> list[dict[str, str]]:
        """The current definitions in SageMaker's shape, ``[{"Name": ..., "Regex": ...}]``."""
        return [d.to_sagemaker() for d in self.rows.definitions]

    @metric_definitions.setter
    def metric_definitions(self, value: Any) -> None:
        self.rows.set_definitions(load_definitions(value))

    @property
    def sample_text(self) -> str:
        """The whole sample (a large one is not all in the text area)."""
        return self._sample_text

    @sample_text.setter
    def sample_text(self, text: str) -> None:
        text = strip_ansi(text or "")
        with self._state:
            self._sample_text = text
            big = len(text) > EDITABLE_CHARS
            self.sample.unobserve(self._sample_edited, names="value")
            try:
                if big:
                    head = "\n".join(text.split("\n", _PREVIEW_LINES)[:_PREVIEW_LINES])
                    self.sample.value = head
                    self.sample_note.value = (
                        f"<i>A large sample ({len(text) / 1e6:.2f} million characters): "
                        f"every line is counted; the box shows the first {_PREVIEW_LINES} "
                        f"lines, read-only.</i>")
                else:
                    self.sample.value = text
                    self.sample_note.value = ""
                self.sample.disabled = big
            finally:
                self.sample.observe(self._sample_edited, names="value")
        self.refresh()

    def import_definitions(self, source: Any) -> None:
        """Add definitions from anything a user holds: an Estimator (its
        ``metric_definitions``), a JSON text or file, a list, a job description."""
        try:
            self.extend_definitions(load_definitions(source))
        except Exception as exc:
            self.add_message(f"cannot import: {error_line(exc)}")

    def extend_definitions(self, definitions: Sequence[MetricDefinition]) -> None:
        """Append rows for ``definitions`` and refresh."""
        self.rows.extend(list(definitions))

    def refresh(self) -> SampleReport | None:
        """Recompute the results now (the debounce timer calls this too); never raises."""
        with self._state:
            self._cancel_timer()
            self._generation += 1
            generation = self._generation
        with self._work:
            try:
                return self._refresh(generation)
            except Exception as exc:  # never a traceback in the widget
                self.add_message(f"could not update the results: {error_line(exc)}")
                return None

    def close(self) -> None:
        """Cancel the pending refresh and close every part."""
        self._closed = True
        self._cancel_timer()
        for child in self.watch_box.children:
            if hasattr(child, "close"):
                child.close()
        super().close()

    # -- from somewhere ------------------------------------------------------------------

    @classmethod
    def from_file(cls, path, metric_definitions: Any = None) -> "RegexPlayground":
        """A playground on a log file's text (at most 20 MB of it, read as UTF-8)."""
        return cls._with_notes(*read_file(path), metric_definitions)

    @classmethod
    def from_command(cls, argv, metric_definitions: Any = None,
                     timeout: float = 120.0) -> "RegexPlayground":
        """Run a command, and open the playground on its output (stdout and stderr).

        The command is stopped after ``timeout`` seconds; what it printed until then is the
        sample.
        """
        return cls._with_notes(*run_command(argv, timeout), metric_definitions)

    @classmethod
    def from_job(cls, name: str, metric_definitions: Any = None, first: int = 200,
                 last: int = 200, *, options: MetricOptions | None = None,
                 **aws) -> "RegexPlayground":
        """A playground on a SageMaker training job's real log: the first and last lines of
        each host, and the job's own definitions unless ``metric_definitions`` is given.

        ``options`` (a :class:`~metricwidgets.options.MetricOptions`) or ``aws`` (``region``,
        ``profile``, ``endpoint_url``, ``session``) say where the job is. Errors (unknown
        job, no credentials) are shown in the playground, not raised.
        """
        options = resolve_options(options, **aws)
        sample, notes = read_job(name, options, first, last)
        if metric_definitions is None:
            try:
                metric_definitions = job_definitions(name, options)
            except Exception as exc:
                notes.append(f"cannot read the definitions of {name!r}: {error_line(exc)}")
        return cls._with_notes(sample, notes, metric_definitions, options=options,
                               job_name=name)

    @classmethod
    def _with_notes(cls, text: str, notes: list, metric_definitions, **kwargs):
        playground = cls(text, metric_definitions, **kwargs)
        for note in notes:
            playground.add_message(note)
        return playground

    def watch_job(self):
        """Open a LivePlot of the job this playground came from, with these definitions
        (the job's logs are re-parsed: the metrics appear even for a finished job)."""
        if not self.job_name:
            self.add_message("this playground did not come from a job")
            return None
        try:
            from metricwidgets.widgets.liveplot import LivePlot

            definitions = tuple(load_definitions(self.metric_definitions))
            plot = LivePlot.for_job(self.job_name, options=self.options.replace(
                metric_definitions=definitions))
        except Exception as exc:
            self.add_message(f"cannot watch {self.job_name!r}: {error_line(exc)}")
            return None
        for child in self.watch_box.children:
            if hasattr(child, "close"):
                child.close()
        self.watch_box.children = (plot,)
        return plot

    # -- internals -----------------------------------------------------------------------

    def _loaded(self, text: str, notes: list) -> None:
        for note in notes:
            self.add_message(note)
        if text:
            self.sample_text = text

    def _sample_edited(self, change) -> None:
        if not self.sample.disabled:
            self._sample_text = change["new"]
        self._changed(False)

    def _changed(self, immediate: bool) -> None:
        if self._closed:
            return
        if immediate:
            self.refresh()
            return
        with self._state:
            self._cancel_timer()
            self._timer = self._make_timer(DEBOUNCE_SECONDS, self._refresh_later,
                                           args=(self._generation,))
            self._timer.daemon = True
            self._timer.start()

    def _refresh_later(self, generation: int) -> None:
        with self._state:
            if generation != self._generation or self._closed:
                return  # a newer edit or a refresh already took over
        self.refresh()

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _refresh(self, generation: int) -> SampleReport:
        definitions = self.rows.definitions
        text = self._sample_text
        report = build_report(text, definitions)
        if generation != self._generation:
            return report  # stale: a newer refresh is on its way
        self.report = report
        self.results.value = render_report(report)
        self.rows.show(report.definitions)
        self.limits.value = render_limits(definitions, report)
        self.export.value = render_export(definitions)
        if self._suggested_for != text:
            self._suggested_for = text
            try:
                self._suggested = suggest_definitions(text)
            except Exception as exc:
                self._suggested = []
                self.add_message(f"no suggestions: {error_line(exc)}")
        # A proposal for a metric the definitions already take (under another name) is noise.
        covered = report.seen_names - report.untaken_names
        self.suggestions.show([s for s in self._suggested if s["Name"] not in covered],
                              definitions)
        self._show_status()
        return report

    def add_message(self, text: str) -> None:
        """Show ``text`` (one line) in the status line, under the last four."""
        self.messages.append(text)
        del self.messages[:-5]
        self._show_status()

    def _show_status(self) -> None:
        self.status.value = "".join(f'<div style="color:#c00">{esc(m)}</div>'
                                    for m in self.messages)


