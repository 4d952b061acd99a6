"""The plot's callbacks are safe on another thread beside the poller's: with comms over
kernel subshells (JupyterLab's default), a zoom's new range from the browser runs on a
subshell's thread while the poller's thread redraws new points. Every axis update each
thread makes must reach the browser: what the browser holds at the end (its messages applied
in order) is what the kernel's axes hold, it never held a tick without its label (two threads'
updates of one axis mixed), and no redraw failed. The threads take turns far more often than
Python's default (``sys.setswitchinterval``): without the plot's lock in the zoom's callback
this failed 4 runs in 6."""

from __future__ import annotations

import sys
import threading

import numpy as np

from metricwidgets.options import MetricOptions
from metricwidgets.polling.watch import Watch
from metricwidgets.widgets.liveplot import LivePlot, js_number_key
from tests.widgets.liveplot.test_live_plot import DEFS

ROUNDS = 300


class BrowserCopy:
    """What the browser holds of one axis: its messages' states applied in order (binary
    buffers put back where ipywidgets took them from); ``unlabelled`` lists the tick values
    it held, after any message, without a label (drawn in bqplot's own format)."""

    def __init__(self, widget):
        self.state: dict = {}
        self.unlabelled: list = []
        self.lock = threading.Lock()  # (the comm sends one message at a time too)
        original = widget._send

        def send(msg, buffers=None):
            state = dict(msg["state"])
            for path, buffer in zip(msg.get("buffer_paths", []), buffers or []):
                state[path[0]] = {**state[path[0]], path[1]: bytes(buffer)}
            with self.lock:
                self.state.update(state)
                labels = self.state.get("tick_labels") or {}
                self.unlabelled += [v for v in self.values() if js_number_key(v) not in labels]
            original(msg, buffers=buffers)

        widget._send = send

    def values(self) -> np.ndarray:
        sent = self.state.get("tick_values")
        return np.frombuffer(sent["value"], dtype=sent["dtype"]) if sent else np.empty(0)


def test_zooms_on_another_thread_beside_the_pollers_redraws_lose_no_axis_update(poller, tmp_path):
    log = tmp_path / "train.log"
    log.write_text("".join(f"Train_error={2 / (i + 1) + 0.1:.5f};\n" for i in range(200)))
    watch = Watch.for_file(str(log), MetricOptions.from_keywords(DEFS), start=False, poller=poller)
    watch.poll_once()
    plot = LivePlot(watch)
    plot.refresh(force=True)
    chart = plot.charts["error"]
    copies = {name: BrowserCopy(axis) for name, axis in
              (("x", chart.axes.x_axis), ("y", chart.axes.y_axis))}
    failures: list = []
    stop = threading.Event()

    def poller_thread():  # new points, then a redraw: what the poller's thread does
        try:
            with open(log, "a") as out:
                for i in range(200, 200 + ROUNDS * 5):
                    out.write(f"Train_error={2 / (i + 1) + 0.1 + (i % 7) * 0.01:.5f};\n")
                    if i % 5 == 0:
                        out.flush()
                        watch.poll_once()
                        plot.refresh(force=True)
                        if plot.last_error:
                            failures.append(plot.last_error)
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(repr(exc))
        finally:
            stop.set()

    def subshell_thread():  # the browser's wheel: new x ranges, each in one message
        rng = np.random.default_rng(3)
        try:
            while not stop.is_set():
                lo = float(rng.uniform(0, 150))
                chart.x_scale.set_state({"min": lo, "max": lo + float(rng.uniform(5, 400))})
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(repr(exc))

    threads = [threading.Thread(target=poller_thread), threading.Thread(target=subshell_thread)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # the threads take turns far more often: races show
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
    finally:
        sys.setswitchinterval(interval)
    plot.close()  # no redraw left pending (the widgets keep their state)
    assert not any(t.is_alive() for t in threads)
    assert not failures, failures[:3]
    for name, axis in (("x", chart.axes.x_axis), ("y", chart.axes.y_axis)):
        browser = copies[name]
        assert np.array_equal(browser.values(), np.asarray(axis.tick_values, np.float64)), name
        assert browser.state.get("tick_labels") == axis.tick_labels, name
        assert list(axis.tick_values) == list(chart.axes.compute(name).values), name
        assert not browser.unlabelled, (name, browser.unlabelled[:5])
