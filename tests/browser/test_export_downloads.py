"""The plot's export row in chromium: CSV, SVG and PNG each download in one click, under the
name of what was watched, with no plotting library in the kernel.

The kernel is a plain install as far as the plot can tell: the notebook's first cell makes
``import matplotlib`` fail before metricwidgets is imported. The plot watches the
quick-start's real training script (its file name: ``train_digits``); once it finished, the
notebook writes the CSV the kernel would give and its picture, and the downloads must be
exactly those.
"""

from __future__ import annotations

import sys

import pytest

from tests.browser.lab import SCREENSHOTS, open_notebook, run_all_cells, screenshot, wait_until, \
    write_notebook

pytestmark = pytest.mark.browser

BUTTON = ".metricwidgets-liveplot .metricwidgets-export-button"


def _download(page, words: str):
    """Click the export button ``words`` once; return (suggested file name, bytes)."""
    with page.expect_download(timeout=60_000) as info:
        page.locator(BUTTON, has_text=words).click()
    download = info.value
    path = download.path()
    return download.suggested_filename, open(path, "rb").read()


def test_csv_svg_and_png_each_download_in_one_click_under_the_programs_name(lab, page):
    url, root = lab
    write_notebook(root / "export.ipynb", [
        "import sys\nsys.modules['matplotlib'] = None  # a plain install: no matplotlib",
        "%load_ext metricwidgets",
        f"plot = %metrics_run -- {sys.executable} -m metricwidgets.examples.train_digits "
        "--epochs 6\nplot",
        "assert plot.wait(120)\n"
        "plot.refresh()\n"
        "open('expected.svg', 'w').write(plot.export.svg)\n"
        "open('expected.csv', 'w').write(plot.export.csv())",
    ])
    open_notebook(page, url, "export.ipynb")
    run_all_cells(page)
    wait_until(lambda: (root / "expected.csv").exists(), 180, what="the plot to finish")
    wait_until(lambda: page.locator(BUTTON, has_text="SVG").is_enabled(), 60,
               what="the SVG button to hold a picture")
    page.locator(BUTTON).first.scroll_into_view_if_needed()
    screenshot(page, "export_row.png")

    name, data = _download(page, "CSV")
    assert name == "train_digits.csv"
    expected = (root / "expected.csv").read_text()
    assert data.decode() == expected and expected.count("\n") > 10

    name, data = _download(page, "SVG")
    assert name == "train_digits.svg"
    text = data.decode()
    assert text == (root / "expected.svg").read_text() and "Valid_error" in text

    name, data = _download(page, "PNG")
    assert name == "train_digits.png"
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    (SCREENSHOTS / "export_download.png").write_bytes(data)  # to look at
    width = int.from_bytes(data[16:20], "big")  # the IHDR chunk: width, then height
    assert width >= 400  # the picture drawn, not an empty canvas
    assert page.locator(".metricwidgets-export-note").first.inner_text() == ""
    assert not page.dialogs
