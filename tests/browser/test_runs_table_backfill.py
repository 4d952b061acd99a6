"""A runs table's ``log:`` column filled from the jobs' logs, in a real JupyterLab and chromium
(``RunsTable.add_log_column`` on the stand-in): every job's cell shows the best value its log
holds, the progress line says every job was read, filtered in CloudWatch, and "best by" offers
the column and highlights the job whose log holds the highest F1."""

from __future__ import annotations

import time

import pytest

from metricwidgets.testing.standin import StandIn
from tests.browser.lab import open_notebook, run_all_cells, screenshot, wait_until, \
    write_notebook

pytestmark = pytest.mark.browser

JOBS = ["runs-backfill-a", "runs-backfill-b", "runs-backfill-c"]
#: The best eval_f1 each job's log holds (written below among other lines).
BEST = {"runs-backfill-a": 0.8125, "runs-backfill-b": 0.6875, "runs-backfill-c": 0.9375}


@pytest.fixture(scope="module")
def aws():
    with StandIn() as standin:
        start = time.time() - 600
        for job, best in BEST.items():
            lines = []
            for i in range(200):
                if i % 40 == 39:
                    lines.append(f"[{i}] eval_f1={best - (199 - i) / 1000:.4f}")
                else:
                    lines.append(f"[{i}] step {i} loss={1 / (i + 1):.4f}")
            standin.write_logs(job, "algo-1", lines, [start + k for k in range(len(lines))])
        yield standin


def _text(page) -> str:
    return page.locator(".metricwidgets-runs-table").first.inner_text()


def test_a_log_column_is_filled_from_every_jobs_logs_with_its_progress(lab_on_standin, page):
    url, root = lab_on_standin
    write_notebook(root / "backfill.ipynb", [
        "import pandas as pd\nfrom metricwidgets import RunsTable\n"
        f"table = RunsTable(pd.DataFrame({{'name': {JOBS!r}, 'status': 'Completed'}}))\n"
        "table.add_log_column('eval:f1', r'eval_f1=([0-9.]+)', how='max')\ntable"])
    open_notebook(page, url, "backfill.ipynb")
    run_all_cells(page)
    try:
        wait_until(lambda: "3/3 jobs" in _text(page) and all(
            f"{v:.6g}" in _text(page) for v in BEST.values()), 120,
            what="the log:eval:f1 column filled for the three jobs")
    except TimeoutError:
        screenshot(page, "runs_table_backfill_failed.png")
        raise
    text = _text(page)
    screenshot(page, "runs_table_backfill.png")
    assert "log:eval:f1" in text and "Completed" in text  # the columns shown before stay
    assert " KB, 3 calls" in text
    assert "filtered in CloudWatch" in text and "calls" in text
    for job in JOBS:
        assert job in text
    # "best by" (the table's one dropdown) offers the log column and, nothing else being
    # chosen, ranks by it: F1, higher is better.
    table = page.locator(".metricwidgets-runs-table").first
    options = table.locator("select:not([multiple]) option").all_inner_texts()
    assert [o.strip() for o in options] == ["(none)", "log:eval:f1"]
    best = table.locator("tr.best")
    assert best.count() == 1 and "runs-backfill-c" in best.inner_text()
    assert not page.dialogs
