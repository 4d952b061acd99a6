"""Colours of a chart's series: one per job/instance, shaded by role, colour-blind safe.

The first colours are Okabe and Ito's palette (distinct under the common colour-vision
deficiencies), then Paul Tol's "muted" ones that are not close to those. A job keeps its
colour for the life of a plot (first come, first served), so two instances never get two
shades of the same teal. Training is drawn in the job's colour, validation in a darker shade
of it (and dashed), test in a lighter one (and dotted): the role shows without the dash.
"""

from __future__ import annotations

__all__ = ["PALETTE", "ROLE_STYLE", "Palette", "shade"]

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#882255",
           "#999933", "#332288", "#AA4499", "#DDCC77")
#: Per role: (shade factor, dash). Below 1 darkens, above 1 lightens.
ROLE_STYLE = {None: (1.0, "solid"), "train": (1.0, "solid"), "validation": (0.55, "dashed"),
              "test": (1.45, "dotted")}


def shade(colour: str, factor: float) -> str:
    """``colour`` (``#rrggbb``) darkened (``factor`` < 1, towards black) or lightened
    (``factor`` > 1, towards white)."""
    rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    if factor <= 1:
        mixed = [round(c * factor) for c in rgb]
    else:
        mixed = [round(c + (255 - c) * (factor - 1)) for c in rgb]
    return "#" + "".join(f"{min(max(c, 0), 255):02x}" for c in mixed)


class Palette:
    """Hands out :data:`PALETTE` colours to owners (a job, or job/host) in order of arrival.

    Shared by every chart of a plot, so a job has the same colour on each.
    Thread-safety: called under the plot's redraw lock.
    """

    def __init__(self):
        self._given: dict[str, str] = {}

    def colour(self, owner: str) -> str:
        """The colour of ``owner`` (a new owner gets the next free one)."""
        if owner not in self._given:
            self._given[owner] = PALETTE[len(self._given) % len(PALETTE)]
        return self._given[owner]

    def style(self, owner: str, role) -> tuple[str, str]:
        """``(colour, dash)`` of ``owner``'s series of ``role``."""
        factor, dash = ROLE_STYLE.get(role, ROLE_STYLE[None])
        return shade(self.colour(owner), factor), dash
