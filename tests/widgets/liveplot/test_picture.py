"""A plot's displayed picture ends as the plot does, whatever the order its threads run in:
a display drawn while the job's finished picture is sent gets that picture too, and a
picture drawn before the widget closed but sent after the close carries no widget view.

Each race is made to happen: a drawing, once it has read the plot, waits for the test.
"""

from __future__ import annotations

import threading

from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from metricwidgets.widgets.liveplot import WIDGET_VIEW, StaticPicture


class Plot:
    """What the picture draws: the plot's state when drawn. The next drawing waits, once
    it has read the state, on ``hold`` when one is set (``held`` says it is waiting)."""

    def __init__(self):
        self.state = "running"
        self.hold: threading.Event | None = None
        self.held = threading.Event()

    def draw(self):
        state, hold = self.state, self.hold
        if hold is not None:
            self.hold = None
            self.held.set()
            hold.wait(10)
        return f"<svg>{state}</svg>", f"plot ({state})"


def outputs_of(captured, display_id: str) -> list[dict]:
    """What the output ``display_id`` showed in turn: its display, then its updates."""
    return [o.data for o in captured.outputs if o.transient.get("display_id") == display_id]


def test_a_display_drawn_while_the_finished_picture_is_sent_gets_it_too():
    InteractiveShell.instance()
    plot = Plot()
    picture = StaticPicture(plot.draw)
    with capture_output() as captured:
        picture.display("model-1")
        gate = plot.hold = threading.Event()
        second = threading.Thread(target=picture.display, args=("model-1",))
        second.start()
        assert plot.held.wait(10)  # the second display drew "running" and waits
        plot.state = "finished"
        assert picture.tick("model-1", finished=True, version=1)  # known: the first display
        gate.set()
        second.join(10)
    assert not second.is_alive()
    first, last = picture.displays[0][0], picture.displays[-1][0]
    assert outputs_of(captured, first)[-1]["text/plain"] == "plot (finished)"
    assert outputs_of(captured, last)[-1]["text/plain"] == "plot (finished)"
    assert WIDGET_VIEW in outputs_of(captured, last)[-1]


def test_a_picture_drawn_before_the_close_and_sent_after_it_has_no_widget_view():
    InteractiveShell.instance()
    plot = Plot()
    picture = StaticPicture(plot.draw)
    with capture_output() as captured:
        picture.display("model-1")
        plot.state = "finished"
        gate = plot.hold = threading.Event()
        late = threading.Thread(target=picture.tick, args=("model-1", True, 1))
        late.start()
        assert plot.held.wait(10)  # the poller's refresh drew, with the widget, and waits
        picture.update(None)  # the plot is closed meanwhile: the widget is gone
        gate.set()
        late.join(10)
    assert not late.is_alive()
    shown = outputs_of(captured, picture.displays[0][0])
    assert len(shown) == 3 and shown[-1]["text/plain"] == "plot (finished)"
    assert WIDGET_VIEW not in shown[-1]
