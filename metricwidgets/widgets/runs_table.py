"""``RunsTable``: many training jobs as a sortable, filterable table; chosen rows overlaid.

The table shows the rows of :func:`metricwidgets.list_jobs` (a DataFrame, or a function
returning one, called again by "refresh"): a filter (text found in any shown cell), a
column chooser, a sort button per column (again: the other way), the best row of the chosen
``final:`` or ``log:`` metric highlighted (lower or higher is better from the metric's name,
:func:`metricwidgets.core.pairing.direction_of`). Ticking rows overlays those jobs in one
chart below (a plot of :meth:`metricwidgets.LivePlot.for_jobs` made by ``plot_factory``),
jobs joining and leaving it without a rebuild. :meth:`RunsTable.add_log_column` adds a
``log:<metric>`` column from a regex over the jobs' logs (a
:class:`~metricwidgets.polling.backfill.Backfill` made by ``backfill_factory``, on its own
thread), each cell filled as its job is read, under a progress bar with a cancel button.
The widget holds no AWS logic: AWS keywords are handed to the factories as they are.

Laid out as a table a user can read (:class:`~metricwidgets.widgets._rows_grid.RowsGrid`,
one HTML table, however many rows): one line per job, columns as wide as their widest text,
numbers right-aligned with thousands separators and one number of decimals per column,
times as ``YYYY-MM-DD HH:MM:SS`` UTC (:func:`cell_text`), the whole best row highlighted, the
header kept at the top while the rows scroll under it, every cell DOM text a screen reader
reads, a labelled checkbox per row.
"""

from __future__ import annotations

import datetime
import html
import math
import threading
from collections.abc import Callable

import ipywidgets as widgets

from metricwidgets.core.pairing import direction_of
from metricwidgets.errors import UserFacingError
from metricwidgets.widgets._rows_grid import RowsGrid
from metricwidgets.widgets.liveplot import StaticPicture

__all__ = ["RunsTable"]

#: Columns shown at first besides the ``hp:`` and ``final:`` ones.
DEFAULT_COLUMNS = ("name", "status", "created", "duration_s")
#: Rows shown at once (more: pages); the box scrolls past :data:`BODY_HEIGHT`.
PAGE_SIZE = 1000
BODY_HEIGHT = "420px"


def _scalar(value):
    """A numpy scalar as the Python one; anything else as it is."""
    return value.item() if hasattr(value, "item") and not isinstance(value, str) else value


def _is_number(value) -> bool:
    value = _scalar(value)
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def cell_text(value, decimals: int | None = None) -> str:
    """What a cell shows: numbers with thousands separators (whole ones without decimals;
    others with ``decimals`` digits after the point, by default 4 significant ones), times
    to the second in UTC, nothing for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if hasattr(value, "strftime"):  # a datetime or a pandas Timestamp
        if getattr(value, "tzinfo", None) is not None:
            value = value.astimezone(datetime.timezone.utc)
        return value.strftime("%Y-%m-%d %H:%M:%S")
    value = _scalar(value)
    if not _is_number(value):
        return str(value)
    if not math.isfinite(value):
        return str(value)
    alone = decimals is None  # a value alone: no column to line up with
    if alone and float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    decimals = _decimals_for([value]) if alone else decimals
    if 0 < abs(value) < 0.5 * 10.0 ** -decimals:
        return f"{value:.2e}"  # too small for the column's decimals: still not shown as 0
    text = f"{value:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if alone and "." in text else text


def _decimals_for(values) -> int:
    """Digits after the point that give the largest value 4 significant digits (0 to 4),
    or 0 when every value is whole."""
    finite = [abs(float(v)) for v in values if math.isfinite(float(v))]
    if not finite or all(v.is_integer() for v in finite):
        return 0
    biggest = max(finite)
    whole_digits = math.floor(math.log10(biggest)) + 1 if biggest >= 1 else 0
    return min(4, max(0, 4 - whole_digits))


def column_texts(frame, columns: list[str]) -> dict[str, list[str]]:
    """Each column's cells as shown; a numeric column's numbers all with the same digits
    after the point, so they line up (right-aligned) on it."""
    texts = {}
    for column in columns:
        values = list(frame[column])
        decimals = None
        if _numeric(frame, column):
            decimals = _decimals_for([_scalar(v) for v in values if cell_text(v) != ""])
        texts[column] = [cell_text(v, decimals) for v in values]
    return texts


def metric_choices(columns) -> list[tuple[str, str | None]]:
    """The "best by" choices among ``columns``: ``(label, column)``, the ``final:`` metrics
    by their name, the ``log:`` columns by theirs (a log column may bear a final metric's
    name)."""
    finals = [(c.removeprefix("final:"), c) for c in columns if c.startswith("final:")]
    logs = [(c, c) for c in columns if c.startswith("log:")]
    return [("(none)", None)] + finals + logs


def metric_name(column: str) -> str:
    """The metric a ``final:`` or ``log:`` column holds (what its direction is read from)."""
    return column.removeprefix("final:").removeprefix("log:")


def _numeric(frame, column: str) -> bool:
    values = [v for v in frame[column] if v is not None and cell_text(v) != ""]
    return bool(values) and all(_is_number(v) for v in values)


class RunsTable(widgets.VBox):
    """A table of training jobs; ticked rows are overlaid in a live chart below.

    Parameters
    ----------
    rows : pandas.DataFrame or callable
        :func:`~metricwidgets.list_jobs`' frame (a ``name`` column, ``hp:*`` and
        ``final:*`` columns), or a function of no argument returning one.
    plot_factory : callable, optional
        ``plot_factory(names)`` returns the overlay (anything with ``add_job``,
        ``remove_job`` and ``close``); default :meth:`LivePlot.for_jobs` with ``options``
        or ``aws``.
    page_size : int
        Rows shown at once (more go to further pages).
    options : MetricOptions, optional
        Handed to the default plot factory (:mod:`metricwidgets.options`); else
    **aws
        Handed to the default plot factory (``region``, ``profile``, ``endpoint_url``...).

    Attributes
    ----------
    frame : DataFrame
        Every row. ``view``: the rows filtered and sorted, as shown (all pages).
    plot : LivePlot or None
        The overlay, made when the first row is ticked.
    message : ipywidgets.HTML
        One line when something went wrong (a bad frame, a job that cannot be watched).
    grid : RowsGrid
        The rows of this page as shown; its ``selected`` and ``sort`` are what the user
        ticked and clicked.
    """

    def __init__(self, rows, plot_factory: Callable | None = None,
                 page_size: int = PAGE_SIZE, *, options=None,
                 backfill_factory: Callable | None = None, **aws):
        self._loader = rows if callable(rows) else None
        self._backfill_factory = backfill_factory or _default_backfill(options, aws)
        self.backfills: list = []
        self._cells_lock = threading.RLock()
        if plot_factory is None:
            from metricwidgets.widgets.liveplot import LivePlot

            def plot_factory(names):
                return LivePlot.for_jobs(names, options=options, **aws)
        self._plot_factory = plot_factory
        self.page_size = page_size
        self.page = 0
        self.plot = None
        self._closed = False
        # Its output carries the overlay's picture once there is one (the chart outlives
        # the kernel here too); before that, the widget and a line of text.
        self.picture = StaticPicture(self._picture_now)
        self.sort_column: str | None = None
        self.ascending = True
        self.selected: list[str] = []
        self.frame = None
        self.view = None
        self.message = widgets.HTML("")
        self.filter = widgets.Text(placeholder="filter: text in any shown cell",
                                   continuous_update=False)
        self.columns = widgets.SelectMultiple(description="columns", rows=6)
        self.metric = widgets.Dropdown(description="best by")
        self.refresh_button = widgets.Button(description="refresh", icon="refresh",
                                             disabled=self._loader is None)
        self.previous_page = widgets.Button(description="<", layout={"width": "40px"})
        self.next_page = widgets.Button(description=">", layout={"width": "40px"})
        self.page_label = widgets.Label("")
        self.grid = RowsGrid(height=BODY_HEIGHT)
        self.plot_box = widgets.VBox([])
        self.backfill_box = widgets.VBox([])
        self.grid.observe(lambda change: self._on_ticks(change["new"]), "selected")
        self.grid.observe(lambda change: self._on_sort(change["new"]), "sort")
        self._updating = False
        self.filter.observe(lambda _: self._goto(0), "value")
        self.columns.observe(lambda _: self._render(), "value")
        self.metric.observe(lambda _: self._render(), "value")
        self.refresh_button.on_click(lambda _: self.reload())
        self.previous_page.on_click(lambda _: self._goto(self.page - 1))
        self.next_page.on_click(lambda _: self._goto(self.page + 1))
        controls = widgets.HBox([self.filter, self.metric, self.refresh_button,
                                 self.previous_page, self.page_label, self.next_page])
        super().__init__([controls, self.columns, self.message, self.backfill_box,
                          self.grid, self.plot_box])
        self.add_class("metricwidgets-runs-table")
        self.set_rows(rows() if self._loader is not None else rows)

    # ------------------------------------------------------------------ data
    def reload(self) -> None:
        """Call the rows function again (a table made from a function)."""
        if self._loader is None:
            return
        try:
            self.set_rows(self._loader())
        except UserFacingError as exc:
            self.message.value = html.escape(f"could not list the jobs: {exc}")

    def set_rows(self, frame) -> None:
        """Show ``frame``'s rows (ticked jobs stay ticked when still there)."""
        if frame is None or "name" not in getattr(frame, "columns", ()):
            self.message.value = "the rows need a 'name' column (see metricwidgets.list_jobs)"
            return
        self.message.value = ""
        self.frame = frame.reset_index(drop=True)
        names = list(self.frame.columns)
        wanted = [c for c in names if c in DEFAULT_COLUMNS or c.startswith(("hp:", "final:"))]
        chosen = [c for c in self.columns.value if c in names] or wanted
        self._updating = True
        try:
            self.columns.options = names
            self.columns.value = chosen
            finals = [c for c in names if c.startswith("final:")]
            chosen_metric = self.metric.value
            self.metric.options = metric_choices(names)
            if chosen_metric in names:
                self.metric.value = chosen_metric
            else:
                # A validation metric says more of a run than its training loss.
                valid = [c for c in finals if "valid" in c.lower()]
                self.metric.value = (valid or finals or [None])[0]
        finally:
            self._updating = False
        self._render()

    @property
    def shown_columns(self) -> list[str]:
        """The chosen columns, ``name`` first, in the frame's order."""
        chosen = set(self.columns.value) | {"name"}
        return [c for c in self.frame.columns if c in chosen]

    def sort_by(self, column: str, ascending: bool | None = None) -> None:
        """Sort by ``column`` (None: ascending, or the other way when sorted by it already)."""
        if ascending is None:
            ascending = not self.ascending if column == self.sort_column else True
        self.sort_column, self.ascending = column, ascending
        self._goto(0)

    def best_name(self, metric: str | None = None) -> str | None:
        """The best job by ``metric`` (a ``final:`` or ``log:`` column; default the chosen
        one) among the filtered rows, or None when the metric's direction or values are
        unknown."""
        metric = metric or self.metric.value
        if self.view is None or not metric or metric not in self.view.columns:
            return None
        direction = direction_of(metric_name(metric))
        values = self.view[metric].astype(float).dropna() if direction else None
        if values is None or values.empty:
            return None
        index = values.idxmin() if direction == "lower" else values.idxmax()
        return str(self.view.loc[index, "name"])

    def _filtered_sorted(self):
        frame = self.frame
        columns = self.shown_columns
        text = self.filter.value.strip().lower()
        if text:
            cells = frame[columns].astype(str).apply(lambda c: c.str.lower())
            frame = frame[cells.apply(lambda c: c.str.contains(text, regex=False)).any(axis=1)]
        if self.sort_column in frame.columns:
            frame = frame.sort_values(self.sort_column, ascending=self.ascending,
                                      na_position="last", kind="stable")
        return frame

    # ------------------------------------------------------------------ selection
    def select(self, names) -> None:
        """Tick exactly the jobs ``names``: the overlay gains and loses jobs to match."""
        names = list(dict.fromkeys(names))
        for name in [n for n in self.selected if n not in names]:
            self.selected.remove(name)
            if self.plot is not None:
                self.plot.remove_job(name)
        for name in [n for n in names if n not in self.selected]:
            if self._overlay(name):
                self.selected.append(name)
        self._sync_checks()

    def _overlay(self, name: str) -> bool:
        try:
            if self.plot is None:
                self.plot = self._plot_factory([name])
                self.plot_box.children = (self.plot,)
                overlay = getattr(self.plot, "picture", None)
                if isinstance(overlay, StaticPicture):
                    overlay.follow_with(self.picture, self._model_id_while_open)
            else:
                self.plot.add_job(name)
        except UserFacingError as exc:
            self.message.value = html.escape(f"{name}: {exc}")
            return False
        return True

    def _on_ticks(self, names) -> None:
        """The user ticked or unticked a row in the browser."""
        if not self._updating and list(names) != self.selected:
            self.select(names)

    def _on_sort(self, sort) -> None:
        """The user clicked a column's header in the browser."""
        if self._updating or not sort.get("column"):
            return
        self.sort_by(sort["column"], bool(sort.get("ascending", True)))

    def _sync_checks(self) -> None:
        self._updating = True
        try:
            self.grid.selected = list(self.selected)
        finally:
            self._updating = False

    # ------------------------------------------------------------------ drawing
    def _goto(self, page: int) -> None:
        self.page = page
        self._render()

    def _render(self) -> None:
        if self._updating or self.frame is None:
            return
        self.view = self._filtered_sorted()
        pages = max(1, math.ceil(len(self.view) / self.page_size))
        self.page = min(max(self.page, 0), pages - 1)
        count = len(self.view)
        self.page_label.value = f"{count:,} job{'' if count == 1 else 's'}, " \
                                f"page {self.page + 1}/{pages}"
        columns = self.shown_columns
        rows = self.view.iloc[self.page * self.page_size:(self.page + 1) * self.page_size]
        texts = column_texts(rows, columns)
        names = [str(n) for n in rows["name"]]
        best = self.best_name()
        self._updating = True
        try:
            with self.grid.hold_sync():
                self.grid.columns = [{"name": c, "numeric": _numeric(rows, c)}
                                     for c in columns]
                self.grid.rows = [list(r) for r in zip(*(texts[c] for c in columns))]
                self.grid.names = names
                self.grid.best = names.index(best) if best in names else -1
                self.grid.sort = ({"column": self.sort_column, "ascending": self.ascending}
                                  if self.sort_column else {})
                self.grid.selected = list(self.selected)
        finally:
            self._updating = False

    # ------------------------------------------------------------------ log columns
    def add_log_column(self, metric: str, regex: str, how: str = "last"):
        """Add the column ``log:<metric>``: for each listed job, ``how`` (``last``, ``min``
        or ``max``) of what ``regex`` (group 1, SageMaker's rules) finds in its logs.

        Cells fill in as jobs are read, on the backfill's own thread; a progress bar says
        jobs done, bytes and calls, and its button cancels the rest. Returns the backfill
        (None, with one line in :attr:`message`, when the regex or ``how`` is refused).
        """
        from metricwidgets.core.parsing import MetricDefinition

        column = f"log:{metric}"
        names = [str(n) for n in self.frame["name"]] if self.frame is not None else []
        bar = widgets.IntProgress(value=0, min=0, max=max(len(names), 1),
                                  description=column, layout={"width": "320px"})
        label = widgets.Label("starting")
        cancel = widgets.Button(description="cancel", icon="stop", layout={"width": "90px"})

        made: list = []  # the backfill, once made (its callbacks come after)

        def on_job(job, _store):
            value = made[0].summary(job, metric, how)
            with self._cells_lock:
                if self.frame is not None and column in self.frame.columns:
                    self.frame.loc[self.frame["name"] == job, column] = value
                    self._render()

        def on_progress(progress):
            bar.value = progress.jobs_done
            label.value = progress.text()
            if progress.finished:
                cancel.disabled = True

        try:
            backfill = self._backfill_factory(names, [MetricDefinition(metric, regex)],
                                              on_job=on_job, on_progress=on_progress)
            backfill.summary("", metric, how)  # refuses an unknown `how` before any call
        except UserFacingError as exc:
            self.message.value = html.escape(f"{column}: {str(exc).splitlines()[0]}")
            return None
        made.append(backfill)
        cancel.on_click(lambda _: backfill.cancel())
        with self._cells_lock:
            self.frame[column] = math.nan
            self._updating = True
            try:
                # Setting the options clears the chosen columns: keep them, plus the new one.
                chosen = tuple(dict.fromkeys(self.columns.value + (column,)))
                self.columns.options = list(self.frame.columns)
                self.columns.value = chosen
                # "best by" offers the new column, and takes it when nothing was chosen.
                best_by = self.metric.value or column
                self.metric.options = metric_choices(self.frame.columns)
                self.metric.value = best_by
            finally:
                self._updating = False
            self._render()
        self.backfill_box.children = self.backfill_box.children + (
            widgets.HBox([bar, cancel, label]),)
        self.backfills.append(backfill)
        backfill.start()
        return backfill

    def _model_id_while_open(self) -> str | None:
        return None if self._closed else self.model_id

    def _picture_now(self) -> tuple[str | None, str]:
        rows = 0 if self.frame is None else len(self.frame)
        words = f"RunsTable of {rows} job{'' if rows == 1 else 's'}"
        overlay = getattr(self.plot, "picture", None)
        if not isinstance(overlay, StaticPicture):
            return None, words
        svg, plot_words = overlay.draw()
        return svg, f"{words}; ticked: {plot_words}"

    def _ipython_display_(self):
        """The table, with the picture of its overlay once a row was ticked (refreshed
        with the overlay's own: when its jobs end, at most every 30 s, on close)."""
        self.picture.display(self.model_id)

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called (the magics forget a closed table)."""
        return self._closed

    def close(self) -> None:
        """Close the overlay and the widgets."""
        self._closed = True
        for backfill in self.backfills:
            backfill.cancel()
        if self.plot is not None:
            self.plot.close()
        super().close()


def _default_backfill(options, aws):
    """A factory of :class:`~metricwidgets.polling.backfill.Backfill` over AWS as given."""

    def make(names, definitions, *, on_job, on_progress):
        from metricwidgets.options import resolve_options
        from metricwidgets.polling.backfill import Backfill

        return Backfill(names, definitions, resolve_options(options, **aws), on_job=on_job,
                        on_progress=on_progress)
    return make
