"""JupyterLab served under a base URL, as SageMaker Studio serves it (``/jupyterlab/default/``):
the sidebar lists the jobs through the prefixed REST namespace, and its cells (``%metrics``,
``--compare``) draw their charts. The screenshot ``sidebar-base-url.png`` is kept.
"""

from __future__ import annotations

import pytest

from metricwidgets.testing.standin import StandIn
from tests.browser.lab import (open_notebook, running_lab, screenshot, wait_for_idle_kernel,
                               write_notebook)
from tests.browser.test_sidebar import (JOB, POINTS_JS, output_errors, plotted_points,
                                        wait_for_cell, where)

pytestmark = pytest.mark.browser

BASE_URL = "/jupyterlab/default/"
REGION = "us-west-1"
JOBS = ["studio-digits-a", "studio-digits-b"]
POINTS = 15


@pytest.fixture(scope="module")
def aws():
    with StandIn(region=REGION) as standin:
        for seed, name in enumerate(JOBS):
            standin.write_finished_job(name, lines_per_host=POINTS, instance_count=1, seed=seed)
        yield standin


@pytest.fixture
def lab_under_base_url(tmp_path, aws):
    write_notebook(tmp_path / "jobs.ipynb", ["print('notebook ready')"])
    with running_lab(tmp_path, env=aws.env, base_url=BASE_URL,
                     args=[f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}"]) as url:
        yield url


def test_sidebar_plot_and_compare_work_under_studios_base_url(lab_under_base_url, page, aws):
    assert lab_under_base_url.endswith(BASE_URL.rstrip("/"))
    requests = []
    page.on("request", lambda request: "/metricwidgets/" in request.url
            and "/lab/extensions/" not in request.url and requests.append(request.url))
    open_notebook(page, lab_under_base_url, "jobs.ipynb")
    page.click(".jp-SideBar [data-id='metricwidgets-jobs']")
    for name in JOBS:
        page.wait_for_selector(f"{JOB}[data-job='{name}']", timeout=30_000)
    assert requests and all(f"{BASE_URL}metricwidgets/" in url for url in requests), requests

    page.dblclick(f"{JOB}[data-job='{JOBS[0]}']")
    one = f"%metrics {JOBS[0]}{where(aws)}"
    wait_for_cell(page, "(source, line) => source.endsWith(line)", one)
    assert plotted_points(page, one) == POINTS

    page.click(f"{JOB}[data-job='{JOBS[0]}']")
    page.click(f"{JOB}[data-job='{JOBS[1]}']", modifiers=["Control"])
    page.click(".jp-MetricWidgets-compare")
    wait_for_cell(page, "(source, line) => source.startsWith(line)", "%metrics --compare ")
    assert plotted_points(page, "--compare") == POINTS
    # both jobs drawn: one line (raw and smoothed) per job and metric at least
    lines = page.evaluate("""([needle]) => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')]
        .filter(c => (c.querySelector('.jp-InputArea-editor')?.textContent || '').includes(needle))
        .map(c => c.querySelectorAll('.jp-OutputArea-output .bqplot path.line').length)[0]""",
                          ["--compare"])
    assert lines >= 2 * len(JOBS), lines
    wait_for_idle_kernel(page)
    assert not output_errors(page)
    assert page.evaluate(POINTS_JS, ["no such cell"]) == -1
    screenshot(page, "sidebar-base-url.png")
    assert page.dialogs == []
