"""A finding that appears on a live plot raises one JupyterLab notification, whose Show
scrolls to the chart; a plot opened on an old finding raises none.

A real ``jupyter lab`` with the labextension (the build on ``JUPYTER_PATH`` first), chromium,
a notebook of two plots: one following a log file the test writes as a training would (it
diverges), one opened on a log that diverged already. The screenshot of the notification is
``test-artifacts/screenshots/finding_notification.png``; with
``METRICWIDGETS_REFRESH_SCREENSHOT=1`` it also becomes the README's ``docs/notification.png``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.browser.lab import (
    open_notebook,
    run_all_cells,
    running_lab,
    screenshot,
    wait_until,
    write_notebook,
)

pytestmark = pytest.mark.browser

README_SHOT = Path(__file__).resolve().parents[2] / "docs" / "notification.png"
DEFS = '[{"Name": "train:loss", "Regex": "loss=(\\\\S+)"}]'
HEALTHY = [f"epoch {i} loss={1.0 / (i + 1):.4f}" for i in range(14)]
EXPLODING = ["epoch 14 loss=40.0", "epoch 15 loss=900.0", "epoch 16 loss=20000.0"]
TOAST = ".Toastify__toast"


def toasts(page, text: str) -> int:
    return page.locator(TOAST, has_text=text).count()


def chart_in_view(page, index: int) -> bool:
    return page.evaluate("""(i) => {
        const plot = document.querySelectorAll('.metricwidgets-liveplot')[i];
        if (!plot) return false;
        const box = plot.getBoundingClientRect();
        return box.top >= 0 && box.top < window.innerHeight / 2;
    }""", index)


@pytest.mark.timeout(300)
def test_a_new_finding_is_notified_once_and_show_scrolls_to_its_chart(tmp_path, page):
    live = tmp_path / "live.log"
    live.write_text("")
    old = tmp_path / "old.log"
    old.write_text("\n".join(HEALTHY + EXPLODING) + "\n")
    write_notebook(tmp_path / "notify.ipynb", [
        "from metricwidgets import LivePlot\n"
        f"old = LivePlot.for_file({str(old)!r}, {DEFS}, step_definition=r'epoch (\\d+)')\nold",
        "from IPython.display import HTML\nHTML('<div style=\"height:2400px\">filler</div>')",
        f"live = LivePlot.for_file({str(live)!r}, {DEFS}, step_definition=r'epoch (\\d+)')\n"
        "live",
    ])
    with running_lab(tmp_path) as url:
        open_notebook(page, url, "notify.ipynb")
        run_all_cells(page)
        plots = page.locator(".metricwidgets-liveplot")
        wait_until(lambda: plots.count() == 2, 90, what="both plots drawn")
        # The old plot lists its divergence; the live one has nothing yet.
        page.locator(".metricwidgets-liveplot").nth(0).locator(
            ".metricwidgets-divergence").wait_for(timeout=60_000)
        with live.open("a") as handle:
            handle.write("\n".join(HEALTHY) + "\n")
        live_plot = page.locator(".metricwidgets-liveplot").nth(1)
        wait_until(lambda: live_plot.locator("path.line").count() > 0, 60,
                   what="the live plot's first points")
        with live.open("a") as handle:
            handle.write("\n".join(EXPLODING[:2]) + "\n")
        wait_until(lambda: toasts(page, "train:loss exploded") >= 1, 60,
                   what="the divergence notified")
        toast = page.locator(TOAST, has_text="train:loss exploded")
        assert toast.count() == 1
        assert "live.log" in toast.inner_text()  # it names the job (here the file)
        assert toast.locator("button", has_text="Show").count() == 1
        # More data: the figures of the same finding change, no second notification; and
        # the plot opened on an old finding raised none at all.
        with live.open("a") as handle:
            handle.write(EXPLODING[2] + "\n")
        wait_until(lambda: "20,000" in live_plot.locator(".metricwidgets-findings").inner_text(),
                   60, what="the finding's figures updated")
        assert page.locator(TOAST).count() == 1
        assert toasts(page, "old.log") == 0
        page.evaluate("() => document.querySelectorAll('.metricwidgets-liveplot')[1]"
                      ".scrollIntoView({block: 'start'})")
        shot = screenshot(page, "finding_notification.png")
        # Show: the notebook scrolls to the live chart.
        page.evaluate("() => document.querySelector('.jp-WindowedPanel-outer')"
                      ".scrollTo(0, 0)")
        wait_until(lambda: not chart_in_view(page, 1), 10, what="the chart scrolled away")
        toast.locator("button", has_text="Show").click()
        wait_until(lambda: chart_in_view(page, 1), 10, what="Show to scroll to the chart")
        # Still one notification, well after the finding's later updates were scanned.
        assert page.locator(TOAST).count() <= 1 and toasts(page, "old.log") == 0
        assert not page.dialogs
    if os.environ.get("METRICWIDGETS_REFRESH_SCREENSHOT") == "1":
        shutil.copyfile(shot, README_SHOT)
