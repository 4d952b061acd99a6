"""Fixtures for browser tests: a real jupyter lab and Debian's chromium via Playwright."""

from __future__ import annotations

import os

import pytest

from tests.browser.lab import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SCREENSHOTS,
    TAKEN,
    running_lab,
    screenshot,
)

pytestmark = pytest.mark.browser


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item (the ``page`` fixture reads it)."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def pytest_terminal_summary(terminalreporter):
    """Say where this session's screenshots are."""
    if TAKEN:
        terminalreporter.write_line(f"browser screenshots ({len(TAKEN)}): {SCREENSHOTS}")


# Module scope, not session: while Playwright's sync API is active its event loop counts as
# running in this thread, and pytest-jupyter's io_loop fixture (server tests) fails to close
# its own loop after any test that runs then.
@pytest.fixture(scope="module")
def browser():
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    """A chromium page (1400 x 900); a test that fails leaves a screenshot of it in
    ``test-artifacts/screenshots/<test name>_failed.png``."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs  # tests assert no script ever raised an alert
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed and not page.is_closed():
        try:
            screenshot(page, f"{request.node.name}_failed.png")
        except Exception as exc:  # noqa: BLE001 the test's own failure is what matters
            print(f"no failure screenshot: {exc}")
    context.close()


@pytest.fixture
def lab(tmp_path):
    """A jupyter lab serving an empty folder; yields ``(url, root)``."""
    with running_lab(tmp_path) as url:
        yield url, tmp_path


@pytest.fixture
def lab_on_standin(tmp_path, aws):
    """A jupyter lab whose kernels talk to the test module's ``aws`` stand-in (its
    environment); yields ``(url, root)``."""
    with running_lab(tmp_path, env=aws.env) as url:
        yield url, tmp_path
