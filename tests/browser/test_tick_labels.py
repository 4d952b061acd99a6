"""The tick labels the kernel sends are the ones drawn, in chromium, whatever order its
message gives the labels and the values in.

bqplot's axis view redraws on new ``tick_values`` through a d3 transition that applies the
labels it had at that moment when it starts (the next frame); new ``tick_labels`` redraw at
once, and that transition then overwrote them. ipywidgets sends a ``hold_sync`` block's
changes in the order of a set of names, which follows the kernel's string hashes: in about
half the kernels the values came first, and a tick without a label in the old set was drawn
with bqplot's own format (``0.1, 0.2, 0.3, 0.3, 0.3, 0.4`` for ticks 0.05 apart, once after a
wheel zoom). The kernel here runs with a hash seed under which Python's sets put the values
first, found at run time; the chart's y range then shrinks from ticks 0.1 apart to ticks 0.05
apart as more points arrive (the kernel alone moves the ticks), and every y label must read
as its tick's value, with the kernel's own digits.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from tests.browser.chart_geometry import check_axis, geometry, parse_label, split_axes
from tests.browser.lab import (
    open_notebook,
    run_all_cells,
    running_lab,
    screenshot,
    wait_until,
    write_notebook,
)

pytestmark = pytest.mark.browser

CHART = ".metricwidgets-liveplot .metricwidgets-chart"
#: The names a tick change sends together, in each group the axis has.
_SENT_TOGETHER = ("{'tick_labels', 'tick_values'}", "{'tick_labels', 'tick_values', 'label_offset'}",
                  "{'tick_format', 'tick_values'}")


def values_first_seed() -> str:
    """A ``PYTHONHASHSEED`` under which each set of names a tick change sends lists
    ``tick_values`` before the labels or format."""
    probe = ("import sys; sets = [" + ", ".join(_SENT_TOGETHER) + "]; "
             "sys.exit(0 if all(list(s).index('tick_values') == 0 for s in sets) else 1)")
    for seed in range(1, 200):
        done = subprocess.run([sys.executable, "-c", probe], env={"PYTHONHASHSEED": str(seed)},
                              check=False)
        if done.returncode == 0:
            return str(seed)
    raise AssertionError("no hash seed puts tick_values first")


@pytest.fixture
def lab_values_first(tmp_path):
    with running_lab(tmp_path, env={"PYTHONHASHSEED": values_first_seed()}) as url:
        yield url, tmp_path


def y_labels(page) -> list[str]:
    geo = geometry(page, CHART)
    return [t["text"] for t in split_axes(geo)[1]] if geo else []


def settled_y(page, condition, what: str) -> list:
    """The y ticks once ``condition(labels)`` held on three reads in a row, unchanged."""
    seen = {"labels": None, "count": 0, "ticks": None}

    def steady():
        geo = geometry(page, CHART)
        ticks = split_axes(geo)[1] if geo else []
        labels = [t["text"] for t in ticks]
        if len(labels) < 2 or not condition(labels):
            seen["count"] = 0
            return False
        seen["count"] = seen["count"] + 1 if labels == seen["labels"] else 1
        seen.update(labels=labels, ticks=ticks)
        return seen["count"] >= 3

    wait_until(steady, 60, 0.3, what=what)
    return seen["ticks"]


def decimals(label: str) -> int:
    return len(label.split(".")[1]) if "." in label else 0


@pytest.mark.timeout(240)
def test_y_labels_follow_the_kernels_ticks_when_its_message_puts_values_first(
        lab_values_first, page):
    url, root = lab_values_first
    rng = np.random.default_rng(5)
    log = root / "shrinking.log"
    # 20 points over 0.05-0.55 (ticks 0.1 apart); then 2,500 over 0.14-0.41: the 20 are then
    # outliers (under 1%), and the y range shrinks to ticks 0.05 apart.
    log.write_text("".join(f"Train_error={v:.4f};\n" for v in rng.uniform(0.05, 0.55, 20)))
    write_notebook(root / "ticks.ipynb", [
        "from metricwidgets import LivePlot\n"
        "DEFS = [{'Name': 'train:error', 'Regex': r'Train_error=(.*?);'}]\n"
        f"plot = LivePlot.for_file({str(log)!r}, DEFS, min_interval=0.2, max_interval=0.5)\n"
        "plot"])
    open_notebook(page, url, "ticks.ipynb")
    run_all_cells(page)
    page.wait_for_selector(CHART, timeout=90_000)
    page.locator(CHART).first.scroll_into_view_if_needed()
    before = settled_y(page, lambda labels: parse_label(labels[-1], "linear") >= 0.5,
                       "the first 20 points drawn, ticks 0.1 apart")
    assert check_axis(before, "linear", True) is None

    with open(log, "a") as out:  # one write: the kernel reads the 2,500 points at once
        out.write("".join(f"Train_error={v:.4f};\n" for v in rng.uniform(0.14, 0.41, 2500)))
    after = settled_y(page, lambda labels: parse_label(labels[-1], "linear") < 0.5,
                      "the y range shrunk to the 2,500 points")
    screenshot(page, "tick_labels_values_first.png")
    labels = [t["text"] for t in after]
    assert check_axis(after, "linear", True) is None, labels
    values = [parse_label(label, "linear") for label in labels]
    assert np.diff(sorted(values)) == pytest.approx(0.05), labels
    # The kernel's labels: one number of digits for all (bqplot's own format drops zeros).
    assert len({decimals(label) for label in labels}) == 1, labels
