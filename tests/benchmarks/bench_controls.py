"""Benchmark: time from a chart control's input event to the redrawn chart, idle and busy.

Issue #21 item 1. A real ``jupyter lab`` and Debian's chromium (the browser tests' harness),
one finished training run drawn by ``LivePlot.for_command``. For each control (log y, x mode,
legend, smoothing, hover) the time from the input event to the chart's redraw is measured in
the page (``performance.now()`` at the event; a ``MutationObserver`` sees the chart change;
one animation frame for the paint), as ``tests/browser/test_busy_controls.py`` does:

- ours: the browser module (``ChartLink``) answers, the kernel idle, then the kernel busy
  with a ``time.sleep`` cell;
- the baseline, in the same run and page: the module switched off (``ChartLink.active``),
  so every control waits for its Python callback, as before issue #21: idle, then busy (the
  cell sleeps ``BUSY_SECONDS`` after the click: the answer comes when it ends).

Prints the median over ``ROUNDS`` rounds per control and the ratios baseline / ours.
Targets: ours < 500 ms busy, < 200 ms idle. Run with ``python -m tests.benchmarks controls``.
"""

from __future__ import annotations

import os
import statistics
import tempfile
from pathlib import Path

ROUNDS = 3
BUSY_SECONDS = 3.0
TARGET_BUSY_MS, TARGET_IDLE_MS = 500.0, 200.0


def _actions(t, page):
    """(name, event, signature, action) per control; each action flips its control."""
    def move(where):
        def go():
            # onto a drawn point: the kernel's readout answers hover targets on the points
            t.show_plot(page)
            points = max((p["points"] for p in t.geometry(page)["paths"] if p["visible"]),
                         key=len)
            x, y = points[int(where * (len(points) - 1))]
            page.mouse.move(x, y, steps=4)
        return go

    modes = iter(["relative time", "step"] * 50)
    smoothing = iter(["0.9", "0.6"] * 50)
    hovers = iter([0.3, 0.7] * 50)
    return [
        ("log y", "pointerdown", "y", lambda: t.control_checkbox(page, "log y").click()),
        ("x mode", "pointerdown", "x", lambda: t.toggle(page, next(modes)).click()),
        ("legend", "pointerdown", "paths",
         lambda: t.legend_checkbox(page, "validation:error").click()),
        ("smoothing", "keydown", "paths", lambda: t.set_smoothing(page, next(smoothing))),
        ("hover", "pointermove", "readout", lambda: move(next(hovers))()),
    ]


def _busy_cell(page, t, flag: Path, index: int, *, wait_for_busy: bool = True) -> None:
    flag.unlink(missing_ok=True)
    t.run_cell(page, index)
    if wait_for_busy:
        page.wait_for_function("""() => window.jupyterapp.shell.currentWidget.sessionContext
            .session.kernel.status === 'busy'""", timeout=30_000)


def _round(page, t, actions, lab_root: Path, busy: bool, baseline: bool) -> dict:
    from tests.browser.lab import wait_for_idle_kernel

    times = {}
    flag = lab_root / "stop-sleeping"
    for name, event, kind, action in actions:
        t.show_plot(page)
        if busy:
            # ours: the cell sleeps until told; the baseline: it sleeps BUSY_SECONDS
            _busy_cell(page, t, flag, 5 if baseline else 2)
        times[name] = t.timed(page, event, kind, action,
                              timeout=(BUSY_SECONDS + 30) * 1000)
        if busy:
            flag.write_text("done")
        wait_for_idle_kernel(page)
    return times


def main() -> None:
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    from tests.browser import test_busy_controls as t
    from tests.browser.lab import (
        CHROMIUM,
        CHROMIUM_ARGS,
        open_notebook,
        running_lab,
        wait_for_idle_kernel,
        write_notebook,
    )

    with tempfile.TemporaryDirectory() as tmp, running_lab(Path(tmp)) as url, \
            sync_playwright() as playwright:
        root = Path(tmp)
        cells = t.notebook_cells(root / "stop-sleeping")
        cells.append("for chart in plot.charts.values():\n    chart.link.active = False")
        cells.append(f"import time\ntime.sleep({BUSY_SECONDS})")
        write_notebook(root / "bench.ipynb", cells)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
        open_notebook(page, url, "bench.ipynb")
        t.run_cell(page, 0)
        t.run_cell(page, 1)
        page.wait_for_selector(".jp-OutputArea-output:has-text('DRAWN')", timeout=120_000)
        wait_for_idle_kernel(page)
        page.evaluate(t._TIMING_JS)
        results = {}
        actions = _actions(t, page)  # once: each action flips its control on from where it is
        for label, busy in (("ours idle", False), ("ours busy", True)):
            rounds = [_round(page, t, actions, root, busy, baseline=False) for _ in range(ROUNDS)]
            results[label] = {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}
        t.run_cell(page, 4)  # the module off: every control goes to the kernel
        wait_for_idle_kernel(page)
        for label, busy in (("kernel idle", False), ("kernel busy", True)):
            rounds = [_round(page, t, actions, root, busy, baseline=True) for _ in range(ROUNDS)]
            results[label] = {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}
        browser.close()

    controls = list(results["ours idle"])
    print(f"click-to-redraw, ms (median of {ROUNDS}; busy: a cell sleeping; the baseline's "
          f"busy cell sleeps {BUSY_SECONDS:.0f} s after the click)")
    print(f"  {'control':<10}" + "".join(f"{label:>13}" for label in results)
          + f"{'ratio idle':>12}{'ratio busy':>12}")
    for name in controls:
        row = "".join(f"{results[label][name]:>13.0f}" for label in results)
        idle_ratio = results["kernel idle"][name] / max(results["ours idle"][name], 1e-9)
        busy_ratio = results["kernel busy"][name] / max(results["ours busy"][name], 1e-9)
        print(f"  {name:<10}{row}{idle_ratio:>11.1f}x{busy_ratio:>11.1f}x")
    worst_idle = max(results["ours idle"].values())
    worst_busy = max(results["ours busy"].values())
    print(f"  ours, slowest control: idle {worst_idle:.0f} ms (target < {TARGET_IDLE_MS:.0f}: "
          f"{'OK' if worst_idle < TARGET_IDLE_MS else 'MISSED'}), busy {worst_busy:.0f} ms "
          f"(target < {TARGET_BUSY_MS:.0f}: {'OK' if worst_busy < TARGET_BUSY_MS else 'MISSED'})")
