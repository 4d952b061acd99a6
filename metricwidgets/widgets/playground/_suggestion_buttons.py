"""Suggested definitions shown for the user to accept, edit or drop.

The proposals come from :func:`metricwidgets.core.authoring.suggest_definitions`; each is shown
as editable name + regex inputs with "accept" and "drop" buttons, plus "accept all".
"""

from __future__ import annotations

from typing import Callable, Sequence

import ipywidgets as widgets

from metricwidgets.core.parsing import MetricDefinition

__all__ = ["SuggestionsBox"]


class SuggestionsBox(widgets.VBox):
    """Proposed definitions not yet taken.

    Parameters
    ----------
    on_accept : callable(list of MetricDefinition)
        Receives what the user accepted (as edited).

    Attributes
    ----------
    items : list of (ipywidgets.Text, ipywidgets.Text)
        The (name, regex) inputs of each shown suggestion.
    """

    def __init__(self, on_accept: Callable[[list], None]):
        self._on_accept = on_accept
        self._dropped: set[str] = set()
        self.items: list[tuple[widgets.Text, widgets.Text]] = []
        self.title = widgets.HTML()
        self.accept_all = widgets.Button(description="accept all", icon="check",
                                         layout=widgets.Layout(width="auto"))
        self.accept_all.add_class("mw-accept-all")
        self.accept_all.on_click(lambda _b: self._accept(list(self.items)))
        self.list = widgets.VBox()
        super().__init__([widgets.HBox([self.title, self.accept_all]), self.list])
        self.add_class("mw-suggestions")
        self.layout.display = "none"

    def show(self, suggestions: Sequence[dict], taken: Sequence[MetricDefinition]) -> None:
        """Show ``suggestions`` except those already defined (same name or regex) or dropped."""
        names = {d.name for d in taken}
        regexes = {d.regex for d in taken}
        keep = [s for s in suggestions if s["Name"] not in names and s["Regex"] not in regexes
                and s["Name"] not in self._dropped]
        self.items, rows = [], []
        for s in keep:
            name = widgets.Text(value=s["Name"], layout=widgets.Layout(width="22%"))
            regex = widgets.Text(value=s["Regex"], layout=widgets.Layout(width="55%"))
            accept = widgets.Button(description="accept", icon="check",
                                    layout=widgets.Layout(width="auto"))
            accept.add_class("mw-accept-suggestion")
            drop = widgets.Button(description="drop", icon="times",
                                  layout=widgets.Layout(width="auto"))
            drop.add_class("mw-drop-suggestion")
            item = (name, regex)
            accept.on_click(lambda _b, item=item: self._accept([item]))
            drop.on_click(lambda _b, item=item: self._drop(item))
            self.items.append(item)
            rows.append(widgets.HBox([name, regex, accept, drop]))
        self.list.children = tuple(rows)
        self.title.value = (f"<b>Suggested definitions</b> ({len(keep)}) found in the sample: "
                            f"accept, edit or drop")
        self.layout.display = "" if keep else "none"

    def _accept(self, items) -> None:
        chosen = [MetricDefinition(n.value, r.value) for n, r in items]
        for n, _ in items:
            self._dropped.add(n.value)  # accepted: not proposed again
        self._on_accept(chosen)

    def _drop(self, item) -> None:
        self._dropped.add(item[0].value)
        self.items = [i for i in self.items if i is not item]
        self.list.children = tuple(c for c in self.list.children if c.children[0] is not item[0])
        self.layout.display = "" if self.items else "none"
