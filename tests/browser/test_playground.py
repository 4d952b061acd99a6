"""The regex playground in a real JupyterLab (Playwright + Debian's chromium).

Given the SageMaker documentation's example sample and its two definitions, when a user opens
the playground, types a regex and clicks "apply fix", then the match counts follow; and a
sample holding ``<img onerror>`` / ``<script>`` raises no dialog and adds no element. The
screenshot ``test-artifacts/screenshots/playground.png`` is kept.
"""

from __future__ import annotations

import json

import pytest

from tests.browser.lab import (open_notebook, run_all_cells, running_lab, screenshot,
                               wait_for_idle_kernel,
                               write_notebook)

pytestmark = pytest.mark.browser

DOC = "Train_error=0.138318;  Valid_error = 0.324557;"
DOC_DEFS = [{"Name": "train:error", "Regex": "Train_error=(.*?);"},
            {"Name": "validation:error", "Regex": "Valid_error=(.*?);"}]
XSS = "<img src=x onerror=alert(1)> loss=0.5;\n</div><script>alert(2)</script> loss=0.25;"
XSS_DEFS = [{"Name": "<img src=y onerror=alert(3)>", "Regex": "loss=(.*?);"}]



@pytest.fixture
def lab_alone(tmp_path):
    write_notebook(tmp_path / "playground.ipynb", cells())
    with running_lab(tmp_path) as url:
        yield url


def cells() -> list[str]:
    return [
        "from metricwidgets import RegexPlayground\n"
        f"doc = RegexPlayground(sample_text={DOC!r}, metric_definitions={json.dumps(DOC_DEFS)})\n"
        "doc.add_class('mw-test-doc')\ndoc",
        f"evil = RegexPlayground(sample_text={XSS!r}, metric_definitions={json.dumps(XSS_DEFS)})\n"
        "evil.add_class('mw-test-evil')\nevil",
    ]


def count(page, playground: str, row: int) -> str:
    return page.locator(f"{playground} .mw-def-row").nth(row).locator(
        ".mw-def-count").inner_text()


def wait_count(page, playground: str, row: int, text: str, timeout: float = 20_000):
    page.locator(f"{playground} .mw-def-row").nth(row).locator(
        f".mw-def-count:has-text('{text}')").wait_for(timeout=timeout)


def test_playground_counts_follow_typing_and_apply_fix_and_log_text_stays_text(lab_alone, page):
    open_notebook(page, lab_alone, "playground.ipynb")
    wait_for_idle_kernel(page)
    run_all_cells(page)

    doc, evil = ".mw-test-doc", ".mw-test-evil"
    page.locator(f"{doc} .mw-def-row").nth(1).wait_for(timeout=60_000)
    page.locator(f"{evil} .mw-report").wait_for(timeout=60_000)
    wait_count(page, doc, 0, "1 match")
    wait_count(page, doc, 1, "0 matches")
    assert "spaces around" in page.locator(f"{doc} .mw-def-row").nth(1).inner_text()

    # Type a regex that tolerates the spaces: the count changes as the user types.
    regex = page.locator(f"{doc} .mw-def-row").nth(1).locator(".mw-def-regex input")
    regex.fill("")
    regex.press_sequentially(r"Valid_error = (\d+\.\d+);", delay=20)
    wait_count(page, doc, 1, "1 match")

    # Back to the documentation's broken regex, then one click on the suggested fix.
    regex.fill("Valid_error=(.*?);")
    wait_count(page, doc, 1, "0 matches")
    fix = page.locator(f"{doc} .mw-def-row").nth(1).locator(".mw-apply-fix")
    fix.wait_for(timeout=20_000)
    fix.click()
    wait_count(page, doc, 1, "1 match")
    assert regex.input_value() == r"Valid_error\s*=\s*(.*?);"
    page.locator(f"{doc} .mw-report .mw-g1:has-text('0.324557')").wait_for(timeout=20_000)
    assert r"Valid_error\\s*=\\s*(.*?);" in page.locator(f"{doc} .mw-export-json").inner_text()

    # The hostile sample shows as text: no dialog, no <img>, no <script> in any output.
    report = page.locator(f"{evil} .mw-report")
    assert "<img src=x onerror=alert(1)> loss=0.5;" in report.inner_text()
    assert "</div><script>alert(2)</script> loss=0.25;" in report.inner_text()
    assert "<img src=y onerror=alert(3)>" in report.inner_text()
    wait_count(page, evil, 0, "2 matches")
    assert page.locator(".jp-OutputArea-output img").count() == 0
    assert page.locator(".jp-OutputArea-output script").count() == 0
    assert page.dialogs == []

    page.locator(doc).scroll_into_view_if_needed()
    screenshot(page, "playground.png")
    assert page.dialogs == []
