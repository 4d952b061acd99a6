"""The "Training jobs" sidebar in a real JupyterLab, against the moto stand-in.

Given three jobs in different states, when a user opens the sidebar, filters it and
double-clicks a job, then a ``%metrics JOB`` cell is inserted into the notebook, runs, and
draws the job's live chart. The screenshot ``test-artifacts/screenshots/sidebar.png`` is kept.

Given tuning jobs, the sidebar lists them and expands each to its children. Given job names
SageMaker would refuse (as a hostile endpoint may list them), the sidebar shows them as
invalid and no click or command puts them into a notebook.
"""

from __future__ import annotations

import contextlib

import pytest

from metricwidgets.server.routes import credentials_hint
from metricwidgets.testing.standin import StandIn
from tests.browser.lab import (open_notebook, running_lab, screenshot, wait_for_idle_kernel,
                               write_notebook)

pytestmark = pytest.mark.browser

#: A region of its own: moto keeps one state per region, so only these jobs are listed.
REGION = "eu-west-3"
DONE, RUNNING, FAILED = "sidebar-digits-done", "sidebar-digits-running", "sidebar-bad-failed"
LATE = "sidebar-late-launched"
JOB = ".jp-MetricWidgets-job"


@pytest.fixture(scope="module")
def aws():
    with StandIn(region=REGION) as standin:
        standin.create_job(FAILED, started_seconds_ago=900)
        standin.finish_job(FAILED, "Failed", failure_reason="AlgorithmError: exit code 1")
        standin.write_finished_job(DONE, lines_per_host=40, instance_count=1, seconds=600)
        standin.create_job(RUNNING, started_seconds_ago=120)
        standin.set_status(RUNNING, "InProgress", "Training")
        yield standin


@contextlib.contextmanager
def lab_with_a_notebook(root, standin):
    """Lab on ``standin`` serving ``root``, which holds ``jobs.ipynb``; yields its URL."""
    write_notebook(root / "jobs.ipynb", ["print('notebook ready')"])
    # a workspace of its own: Lab restores no sidebar state from another test
    with running_lab(root, env=standin.env, args=_lab_args(root)) as url:
        yield url


@pytest.fixture
def lab_on_standin(tmp_path, aws):
    with lab_with_a_notebook(tmp_path, aws) as url:
        yield url, tmp_path


def _lab_args(root):
    # a workspace of its own: Lab restores no sidebar state from another test; a short
    # server cache so that a refresh shows a new job within a couple of seconds
    return [f"--LabApp.workspaces_dir={root / 'workspaces'}", "--MetricWidgets.cache_seconds=1"]


@pytest.fixture
def lab_without_credentials(tmp_path, aws):
    env = {key: value for key, value in aws.env.items() if not key.startswith("AWS_")}
    env.update(AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"),
               AWS_CONFIG_FILE=str(tmp_path / "none"), AWS_EC2_METADATA_DISABLED="true",
               AWS_ACCESS_KEY_ID="", AWS_SECRET_ACCESS_KEY="", AWS_SESSION_TOKEN="")
    with running_lab(tmp_path, env=env, args=_lab_args(tmp_path)) as url:
        yield url


#: Another region: jobs of their own for the tuning and hostile-name tests.
OTHER_REGION = "eu-north-1"
HPO, HPO_CHILDREN = "sidebar-hpo", ["sidebar-hpo-001", "sidebar-hpo-002"]
#: Names that would run code if pasted into a cell unquoted; PWNED is what they would write.
PWNED = "PWNED"
HOSTILE = [
    f"sidebar-evil\nopen('{PWNED}', 'w').write('1')",
    f"sidebar-evil {{open('{PWNED}', 'w').write('2')}}",
]


@pytest.fixture(scope="module")
def aws_other():
    with StandIn(region=OTHER_REGION) as standin:
        standin.create_tuning_job(HPO, children=HPO_CHILDREN)
        standin.finish_job(HPO_CHILDREN[0], "Completed", {"validation:error": 0.25})
        for name in HOSTILE:
            standin.create_job(name, started_seconds_ago=60)
        yield standin


@pytest.fixture
def lab_on_other(tmp_path, aws_other):
    with lab_with_a_notebook(tmp_path, aws_other) as url:
        yield url, tmp_path


def where(standin) -> str:
    """The flags every cell the sidebar writes carries: where the server listed the job."""
    return f" --region {standin.region} --endpoint-url {standin.endpoint_url}"


def listed(page) -> dict[str, str]:
    """The jobs the sidebar shows: name -> status badge."""
    return page.evaluate(f"""() => Object.fromEntries(
        [...document.querySelectorAll('{JOB}')].map(el => [
            el.dataset.job, el.querySelector('.jp-MetricWidgets-badge').textContent]))""")


def wait_for_listed(page, expected: dict[str, str], timeout: float = 30_000):
    page.wait_for_function(
        """([selector, names]) => {
            const shown = [...document.querySelectorAll(selector)].map(el => el.dataset.job);
            return shown.length === names.length && names.every(n => shown.includes(n));
        }""", arg=[JOB, sorted(expected)], timeout=timeout)
    assert listed(page) == expected


def output_errors(page) -> list[str]:
    """Error outputs and stderr lines of the notebook that mention an error."""
    texts = page.eval_on_selector_all(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'], "
        ".jp-OutputArea-output.jp-mod-error", "els => els.map(e => e.textContent)")
    return [text for text in texts if "Traceback" in text or "Error" in text]


#: The sources of the cells of the notebook in front ([] while there is none).
CELLS_JS = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    const model = panel && panel.content && panel.content.model;
    return model && model.sharedModel && model.sharedModel.cells
        ? model.sharedModel.cells.map(c => c.getSource()) : [];
}"""


def code_cells(page) -> list[str]:
    return page.evaluate(CELLS_JS)


def wait_for_cell(page, predicate: str, arg: str, timeout: float = 60_000):
    """Wait until a cell of the notebook in front satisfies ``predicate(source, arg)``."""
    page.wait_for_function(
        f"([arg]) => ({CELLS_JS})().some(source => ({predicate})(source, arg))",
        arg=[arg], timeout=timeout)


def test_sidebar_lists_filters_and_opens_a_live_chart(lab_on_standin, page, aws):
    url, _ = lab_on_standin
    open_notebook(page, url, "jobs.ipynb")

    page.click(".jp-SideBar [data-id='metricwidgets-jobs']")
    wait_for_listed(page, {DONE: "Completed", RUNNING: "InProgress", FAILED: "Failed"})
    # newest first, each with a creation time and a duration
    assert page.eval_on_selector_all(JOB, "els => els.map(e => e.dataset.job)") == [
        RUNNING, DONE, FAILED]
    durations = page.eval_on_selector_all(
        f"{JOB} .jp-MetricWidgets-job-duration", "els => els.map(e => e.textContent)")
    assert all(durations), durations
    assert page.is_hidden(".jp-MetricWidgets-more")  # one page holds them all
    assert page.eval_on_selector_all(
        f"{JOB} time", "els => els.every(e => e.textContent && e.dateTime)")

    # auto-refresh while visible: a job launched now shows up without any click
    aws.create_job(LATE, started_seconds_ago=5)
    wait_for_listed(page, {LATE: "InProgress", DONE: "Completed", RUNNING: "InProgress",
                           FAILED: "Failed"}, timeout=30_000)

    page.fill(".jp-MetricWidgets-filter", "nothing-like-this")
    page.wait_for_selector(".jp-MetricWidgets-empty:has-text('No training job matches')")
    assert listed(page) == {}
    page.fill(".jp-MetricWidgets-filter", "digits")
    wait_for_listed(page, {DONE: "Completed", RUNNING: "InProgress"})
    page.fill(".jp-MetricWidgets-filter", "bad")
    wait_for_listed(page, {FAILED: "Failed"})
    page.fill(".jp-MetricWidgets-filter", "sidebar-digits")
    wait_for_listed(page, {DONE: "Completed", RUNNING: "InProgress"})
    page.select_option(".jp-MetricWidgets-status-filter", "Completed")
    wait_for_listed(page, {DONE: "Completed"})

    page.dblclick(f"{JOB}[data-job='{DONE}']")
    wait_for_cell(page, "(source, name) => source.includes('%metrics ' + name)", DONE)
    cells = code_cells(page)
    assert cells[1] == f"%load_ext metricwidgets\n%metrics {DONE}{where(aws)}"

    # the chart: a bqplot figure whose line has points
    page.wait_for_function(
        """() => [...document.querySelectorAll('.jp-Notebook .jp-OutputArea-output .bqplot path.line')]
                  .some(p => (p.getAttribute('d') || '').split(/[ML]/).length > 5)""",
        timeout=90_000)
    wait_for_idle_kernel(page)
    assert not output_errors(page)
    screenshot(page, "sidebar.png")

    # keyboard: focus the other job and press Enter; the magics are not loaded twice
    page.select_option(".jp-MetricWidgets-status-filter", "")
    wait_for_listed(page, {DONE: "Completed", RUNNING: "InProgress"})
    page.focus(f"{JOB}[data-job='{RUNNING}']")
    page.keyboard.press("Enter")
    wait_for_cell(page, "(source, line) => source === line", f"%metrics {RUNNING}{where(aws)}")
    assert sum("%load_ext metricwidgets" in cell for cell in code_cells(page)) == 1
    assert page.dialogs == []


def test_playground_from_the_context_menu_goes_into_a_new_notebook(lab_on_standin, page, aws):
    url, root = lab_on_standin
    page.goto(f"{url}/lab")
    page.wait_for_selector(".jp-LabShell")
    page.click(".jp-SideBar [data-id='metricwidgets-jobs']")
    page.wait_for_selector(f"{JOB}[data-job='{DONE}']", timeout=30_000)

    page.click(f"{JOB}[data-job='{DONE}']", button="right")
    page.click(".lm-Menu-item:has-text(\"Test metric regexes\")")
    # no notebook was open: one is created, and the cell is its only cell
    call = (f'RegexPlayground.from_job("{DONE}", region="{aws.region}", '
            f'endpoint_url="{aws.endpoint_url}")')
    wait_for_cell(page, "(source, call) => source.includes(call)", call)
    assert code_cells(page) == [f"import metricwidgets\nmetricwidgets.{call}"]
    assert page.evaluate("() => window.jupyterapp.shell.currentWidget.context.path") \
        .endswith(".ipynb")
    # and it ran: the playground's widgets are drawn, with no error
    page.wait_for_selector(".jp-Notebook .jp-OutputArea-output .jupyter-widgets",
                           timeout=90_000)
    wait_for_idle_kernel(page)
    assert not output_errors(page)
    assert page.dialogs == []


def test_without_credentials_the_sidebar_says_how_to_configure_them(lab_without_credentials,
                                                                    page):
    page.goto(f"{lab_without_credentials}/lab")
    page.click(".jp-SideBar [data-id='metricwidgets-jobs']")
    error = page.wait_for_selector(".jp-MetricWidgets-error", timeout=30_000)
    assert "no AWS credentials found" in error.text_content()
    # the server's advice, word for word: the sidebar has no wording of its own to fall back
    # on, so no hint is drawn if the server stops sending it (drawn with the error, same call)
    hints = page.eval_on_selector_all(".jp-MetricWidgets-hint",
                                      "els => els.map(e => e.textContent)")
    assert hints == [credentials_hint()]
    hint = hints[0]
    assert "aws configure" in hint and "c.MetricWidgets.profile" in hint
    assert "AWS_PROFILE" in hint and "--demo-jobs" in hint  # and how to try the stand-in
    assert "profile=" not in page.text_content(".jp-MetricWidgets-message")
    assert page.get_attribute(".jp-MetricWidgets-message", "data-code") == "credentials"
    screenshot(page, "sidebar-no-credentials.png")

    # the command palette offers the extension's commands
    page.keyboard.press("Control+Shift+C")
    page.fill(".lm-CommandPalette-input", "training job")
    page.wait_for_selector(".lm-CommandPalette-item:has-text('Refresh Training Jobs')")
    labels = page.eval_on_selector_all(".lm-CommandPalette-item .lm-CommandPalette-itemLabel",
                                       "els => els.map(e => e.textContent)")
    assert {"Show Training Jobs", "Refresh Training Jobs", "Plot Metrics of a Training Job…",
            "Test Metric Regexes on a Training Job's Logs…"} <= set(labels), labels
    assert page.dialogs == []


def test_tuning_jobs_expand_to_their_children_and_plot(lab_on_other, page, aws_other):
    url, _ = lab_on_other
    open_notebook(page, url, "jobs.ipynb")
    page.click(".jp-SideBar [data-id='metricwidgets-jobs']")
    tuning = f".jp-MetricWidgets-tuning[data-tuning-job='{HPO}']"
    page.wait_for_selector(tuning, timeout=30_000)
    assert page.get_attribute(f"{tuning} .jp-MetricWidgets-expand", "aria-expanded") == "false"
    assert page.query_selector(f"{tuning} .jp-MetricWidgets-children") is None

    page.click(f"{tuning} .jp-MetricWidgets-expand")
    children = f"{tuning} .jp-MetricWidgets-children {JOB}"
    page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel).length === n",
        arg=[children, len(HPO_CHILDREN)], timeout=30_000)
    assert sorted(page.eval_on_selector_all(children, "els => els.map(e => e.dataset.job)")) \
        == HPO_CHILDREN
    assert page.get_attribute(f"{tuning} .jp-MetricWidgets-expand", "aria-expanded") == "true"
    screenshot(page, "sidebar-tuning.png")

    page.dblclick(f"{children}[data-job='{HPO_CHILDREN[0]}']")
    wait_for_cell(page, "(source, line) => source.endsWith(line)",
                  f"%metrics {HPO_CHILDREN[0]}{where(aws_other)}")
    page.click(f"{tuning} .jp-MetricWidgets-plot-tuning")
    wait_for_cell(page, "(source, line) => source === line",
                  f"%metrics --tuning-job {HPO}{where(aws_other)}")

    # the children are selectable too; a child is marked in both lists it is shown in
    page.click(f"{children}[data-job='{HPO_CHILDREN[1]}']")
    page.click(f"{children}[data-job='{HPO_CHILDREN[0]}']", modifiers=["Control"])
    page.wait_for_function(
        "n => document.querySelectorAll('.jp-MetricWidgets-job.jp-mod-selected').length === n",
        arg=2 * len(HPO_CHILDREN), timeout=10_000)
    assert page.get_attribute(f"{tuning} .jp-MetricWidgets-children", "role") == "listbox"
    page.click(".jp-MetricWidgets-compare")
    shown = page.eval_on_selector_all(children, "els => els.map(e => e.dataset.job)")
    line = "%metrics --compare " + " ".join(shown) + where(aws_other)  # in the order shown
    wait_for_cell(page, "(source, line) => source === line", line)
    assert page.dialogs == []


def test_a_hostile_job_name_is_shown_invalid_and_never_runs(lab_on_other, page, aws_other):
    url, root = lab_on_other
    open_notebook(page, url, "jobs.ipynb")
    page.click(".jp-SideBar [data-id='metricwidgets-jobs']")
    page.wait_for_function(
        "n => document.querySelectorAll('.jp-MetricWidgets-job.jp-mod-invalid').length === n",
        arg=len(HOSTILE), timeout=30_000)
    shown = page.eval_on_selector_all(
        ".jp-MetricWidgets-job.jp-mod-invalid",
        "els => els.map(e => [e.dataset.job, e.getAttribute('aria-disabled'),"
        " e.querySelector('.jp-MetricWidgets-invalid-reason').textContent])")
    assert sorted(name for name, _, _ in shown) == sorted(HOSTILE)
    assert all(disabled == "true" and "Invalid name" in why for _, disabled, why in shown)
    reasons = {name: why for name, _, why in shown}
    assert "line break" in reasons[HOSTILE[0]]
    screenshot(page, "sidebar-invalid-name.png")
    before = code_cells(page)

    # clicks, double clicks, Space and Enter on the invalid rows do nothing ...
    # (force: Playwright waits for an aria-disabled option to be enabled; a user can click)
    rows = page.locator(".jp-MetricWidgets-job.jp-mod-invalid")
    for i in range(rows.count()):
        rows.nth(i).click(force=True)
        rows.nth(i).dblclick(force=True)
        rows.nth(i).press(" ")
        rows.nth(i).press("Enter")
    assert page.eval_on_selector_all(
        ".jp-MetricWidgets-job.jp-mod-invalid",
        "els => els.map(e => e.getAttribute('aria-selected'))") == ["false"] * len(HOSTILE)
    # ... and the commands refuse the names too (a name typed in, or from another caller)
    for name in HOSTILE:
        for command in ("metricwidgets:plot-job", "metricwidgets:open-playground"):
            page.evaluate("([c, n]) => { void window.jupyterapp.commands.execute(c, {name: n}); }",
                          [command, name])
            dialog = page.wait_for_selector(".jp-Dialog:has-text('Refused job name')",
                                            timeout=30_000)
            page.click(".jp-Dialog .jp-mod-accept, .jp-Dialog .jp-mod-reject")
            dialog.wait_for_element_state("hidden")

    # a valid job still opens, and nothing else reached the notebook or ran
    page.dblclick(f".jp-MetricWidgets-jobs > {JOB}[data-job='{HPO_CHILDREN[0]}']")
    cell = f"%metrics {HPO_CHILDREN[0]}{where(aws_other)}"
    wait_for_cell(page, "(source, line) => source.endsWith(line)", cell)
    wait_for_idle_kernel(page)
    added = code_cells(page)[len(before):]
    assert added == [f"%load_ext metricwidgets\n{cell}"]
    assert not (root / PWNED).exists()
    assert page.dialogs == []


#: A region of its own for the selection test: four finished jobs, so the overlay draws.
COMPARE_REGION = "ap-south-1"
COMPARED = ["sidebar-cmp-alpha", "sidebar-cmp-beta", "sidebar-cmp-gamma", "sidebar-cmp-delta"]


@pytest.fixture(scope="module")
def aws_compare():
    with StandIn(region=COMPARE_REGION) as standin:
        for seed, name in enumerate(COMPARED):
            standin.write_finished_job(name, lines_per_host=20, instance_count=1, seed=seed,
                                       seconds=600 + 60 * seed)
        yield standin


@pytest.fixture
def lab_on_compare(tmp_path, aws_compare):
    with lab_with_a_notebook(tmp_path, aws_compare) as url:
        yield url, tmp_path


def selected(page) -> list[str]:
    """The jobs whose rows are marked selected (aria-selected and the class agree)."""
    return page.evaluate(f"""() => [...document.querySelectorAll('{JOB}')]
        .filter(el => {{
            const aria = el.getAttribute('aria-selected') === 'true';
            if (aria !== el.classList.contains('jp-mod-selected')) throw new Error('marks differ');
            return aria;
        }}).map(el => el.dataset.job)""")


def wait_for_selected(page, names: list[str]):
    page.wait_for_function(
        f"""names => {{
            const now = [...document.querySelectorAll('{JOB}[aria-selected="true"]')]
                .map(el => el.dataset.job);
            return now.length === names.length && names.every((n, i) => now[i] === n);
        }}""", arg=names, timeout=10_000)
    assert selected(page) == names


def focused_job(page) -> str | None:
    return page.evaluate("() => document.activeElement && document.activeElement.dataset.job")


def compare_button(page) -> tuple[str, bool]:
    return tuple(page.eval_on_selector(".jp-MetricWidgets-compare",
                                       "b => [b.textContent, b.disabled]"))


def test_select_several_jobs_by_mouse_and_keyboard_and_compare(lab_on_compare, page,
                                                               aws_compare):
    url, _ = lab_on_compare
    problems = []  # every console error or uncaught exception of the page
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    open_notebook(page, url, "jobs.ipynb")
    page.click(".jp-SideBar [data-id='metricwidgets-jobs']")
    wait_for_listed(page, {name: "Completed" for name in COMPARED})
    rows = page.eval_on_selector_all(JOB, "els => els.map(e => e.dataset.job)")  # as shown
    row = {i: f"{JOB}[data-job='{name}']" for i, name in enumerate(rows)}

    # a multi-select listbox of options, one tab stop
    listbox = ".jp-MetricWidgets-jobs"
    assert page.get_attribute(listbox, "role") == "listbox"
    assert page.get_attribute(listbox, "aria-multiselectable") == "true"
    assert page.eval_on_selector_all(
        JOB, "els => els.map(e => [e.getAttribute('role'), e.getAttribute('aria-selected')])"
    ) == [["option", "false"]] * 4
    assert compare_button(page) == ("Compare (0)", True)

    # click selects one; ctrl-click adds another; the button counts them
    page.click(row[0])
    wait_for_selected(page, [rows[0]])
    assert compare_button(page) == ("Compare (1)", True)
    page.click(row[2], modifiers=["Control"])
    wait_for_selected(page, [rows[0], rows[2]])
    assert compare_button(page) == ("Compare (2)", False)
    page.click(row[0], modifiers=["Control"])  # and ctrl-click takes it out again
    wait_for_selected(page, [rows[2]])
    # shift-click: the range from the anchor (the last plain or ctrl-click)
    page.click(row[1])
    page.click(row[3], modifiers=["Shift"])
    wait_for_selected(page, rows[1:4])
    page.click(row[0], modifiers=["Shift"])  # the same anchor, the other way
    wait_for_selected(page, rows[0:2])
    screenshot(page, "sidebar-selection-mouse.png")

    # keyboard: Escape clears; arrows move the focus only; Space toggles; Shift+arrow
    # extends; Ctrl+A selects all; one roving tab stop, on the focused row
    page.keyboard.press("Escape")
    wait_for_selected(page, [])
    page.keyboard.press("Home")
    assert focused_job(page) == rows[0]
    page.keyboard.press("ArrowDown")
    assert focused_job(page) == rows[1] and selected(page) == []
    page.keyboard.press("Space")
    wait_for_selected(page, [rows[1]])
    page.keyboard.press("Shift+ArrowDown")
    page.keyboard.press("Shift+ArrowDown")
    wait_for_selected(page, rows[1:4])
    assert focused_job(page) == rows[3]
    assert page.eval_on_selector_all(JOB, "els => els.map(e => e.tabIndex)") == [-1, -1, -1, 0]
    page.keyboard.press("Control+a")
    wait_for_selected(page, rows)
    page.keyboard.press("Escape")
    wait_for_selected(page, [])
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Space")
    wait_for_selected(page, [rows[0], rows[2]])
    page.click(row[2], modifiers=["Shift"])  # the anchor is where Space last toggled
    wait_for_selected(page, rows[0:3])
    assert compare_button(page) == ("Compare (3)", False)

    # the selection survives a refresh (new rows, same names) ...
    with page.expect_response(lambda r: "/metricwidgets/jobs" in r.url and r.ok):
        page.click(".jp-MetricWidgets-refresh")
    wait_for_listed(page, {name: "Completed" for name in COMPARED})
    wait_for_selected(page, rows[0:3])
    # ... and a job that is no longer listed leaves it (here filtered out, then back)
    gone = rows[1]
    page.fill(".jp-MetricWidgets-filter", rows[0])
    wait_for_listed(page, {rows[0]: "Completed"})
    page.fill(".jp-MetricWidgets-filter", "sidebar-cmp")
    wait_for_listed(page, {name: "Completed" for name in COMPARED})
    wait_for_selected(page, [rows[0]])
    page.click(row[3], modifiers=["Control"])
    page.click(row[1], modifiers=["Control"])
    wait_for_selected(page, [rows[0], gone, rows[3]])
    screenshot(page, "sidebar-selection.png")

    page.click(".jp-MetricWidgets-compare")
    expected = f"%metrics --compare {rows[0]} {gone} {rows[3]}{where(aws_compare)}"  # as shown
    wait_for_cell(page, "(source, line) => source.endsWith(line)", expected)
    assert code_cells(page)[1:] == [f"%load_ext metricwidgets\n{expected}"]
    wait_for_idle_kernel(page)

    # Enter on one of several selected jobs compares them too; the magics load once
    page.focus(row[3])
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => ({CELLS_JS})().length === 3", timeout=30_000)
    assert code_cells(page)[2] == expected
    wait_for_idle_kernel(page)
    assert page.dialogs == []
    assert problems == []


#: The server lists the jobs of SERVER_REGION (its config); the kernel's own default region
#: (its environment) is KERNEL_REGION, where jobs of the same names hold other data.
SERVER_REGION, KERNEL_REGION = "ca-central-1", "sa-east-1"
TWINS = ["sidebar-twin-one", "sidebar-twin-two"]
SOLO = "sidebar-solo-listed"  # only in the server's region
TWIN_HPO = "sidebar-twin-hpo"
LISTED_POINTS, KERNEL_POINTS = 20, 5


@pytest.fixture(scope="module")
def two_regions():
    """The stand-in with same-named jobs in two regions (one server, moto's state per
    region): (the server's region, the kernel's, the solo job's log lines)."""
    with StandIn(region=SERVER_REGION) as listed:
        kernel = StandIn(port=listed.port, region=KERNEL_REGION)
        for seed, name in enumerate(TWINS):
            listed.write_finished_job(name, lines_per_host=LISTED_POINTS, instance_count=1,
                                      seed=seed)
            kernel.write_finished_job(name, lines_per_host=KERNEL_POINTS, instance_count=1,
                                      seed=seed)
        solo = listed.write_finished_job(SOLO, lines_per_host=LISTED_POINTS, instance_count=1)
        for standin, child, lines in ((listed, f"{TWIN_HPO}-listed", LISTED_POINTS),
                                      (kernel, f"{TWIN_HPO}-kernel", KERNEL_POINTS)):
            standin.write_finished_job(child, lines_per_host=lines, instance_count=1)
            standin.create_tuning_job(TWIN_HPO, children=[child], status="Completed")
        yield listed, kernel, solo


@pytest.fixture
def lab_listing_another_region(tmp_path, two_regions):
    listed, kernel, _ = two_regions
    write_notebook(tmp_path / "jobs.ipynb", ["print('notebook ready')"])
    # Lab's environment (and so the kernel's) says KERNEL_REGION; the server's config wins
    # for the list, as c.MetricWidgets.region does for a user.
    args = _lab_args(tmp_path) + [f"--MetricWidgets.region={SERVER_REGION}"]
    with running_lab(tmp_path, env=kernel.env, args=args) as url:
        yield url


#: The most points of one line in the chart of the first cell whose source holds a text
#: (-1: no such cell yet; 0: no line drawn yet).
POINTS_JS = """([needle]) => {
    for (const cell of document.querySelectorAll('.jp-Notebook .jp-CodeCell')) {
        const source = cell.querySelector('.jp-InputArea-editor')?.textContent || '';
        if (!source.includes(needle)) continue;
        const counts = [...cell.querySelectorAll('.jp-OutputArea-output .bqplot path.line')]
            .map(p => ((p.getAttribute('d') || '').match(/[ML]/g) || []).length);
        return counts.length ? Math.max(...counts) : 0;
    }
    return -1;
}"""


def plotted_points(page, needle: str, timeout: float = 90_000) -> int:
    """The points per line of the chart under the cell holding ``needle``, once drawn
    (waits for a line, then for the cell's kernel to be idle)."""
    page.wait_for_function(f"n => ({POINTS_JS})(n) > 0", arg=[needle], timeout=timeout)
    wait_for_idle_kernel(page)
    return page.evaluate(POINTS_JS, [needle])


def cell_text(page, needle: str) -> str:
    return page.evaluate("""([needle]) => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')]
        .filter(c => (c.querySelector('.jp-InputArea-editor')?.textContent || '').includes(needle))
        .map(c => c.querySelector('.jp-OutputArea')?.textContent || '').join('\\n')""", [needle])


def test_every_cell_from_the_sidebar_plots_the_listed_job_not_its_twin_elsewhere(
        lab_listing_another_region, page, two_regions):
    listed, _, solo = two_regions
    flags = where(listed)
    assert SERVER_REGION in flags and KERNEL_REGION not in flags
    open_notebook(page, lab_listing_another_region, "jobs.ipynb")
    page.click(".jp-SideBar [data-id='metricwidgets-jobs']")
    page.wait_for_selector(f"{JOB}[data-job='{TWINS[0]}']", timeout=30_000)

    # double-click: the listed job's 20 points, not the kernel region's 5
    page.dblclick(f".jp-MetricWidgets-jobs > {JOB}[data-job='{TWINS[0]}']")
    one = f"%metrics {TWINS[0]}{flags}"
    wait_for_cell(page, "(source, line) => source.endsWith(line)", one)
    assert plotted_points(page, one) == LISTED_POINTS

    # compare: both listed twins
    page.click(f".jp-MetricWidgets-jobs > {JOB}[data-job='{TWINS[0]}']")
    page.click(f".jp-MetricWidgets-jobs > {JOB}[data-job='{TWINS[1]}']", modifiers=["Control"])
    page.click(".jp-MetricWidgets-compare")
    wait_for_cell(page, "(source, flags) => source.startsWith('%metrics --compare ') && "
                        "source.endsWith(flags)", flags)
    assert plotted_points(page, "--compare") == LISTED_POINTS

    # the tuning job: its listed child, not the kernel region's
    tuning = f".jp-MetricWidgets-tuning[data-tuning-job='{TWIN_HPO}']"
    page.click(f"{tuning} .jp-MetricWidgets-plot-tuning")
    hpo = f"%metrics --tuning-job {TWIN_HPO}{flags}"
    wait_for_cell(page, "(source, line) => source === line", hpo)
    assert plotted_points(page, "--tuning-job") == LISTED_POINTS
    shown = cell_text(page, "--tuning-job")
    assert f"{TWIN_HPO}-listed" in shown and f"{TWIN_HPO}-kernel" not in shown, shown

    # the playground: the job exists only where it was listed, and its log is read
    page.click(f".jp-MetricWidgets-jobs > {JOB}[data-job='{SOLO}']", button="right")
    page.click(".lm-Menu-item:has-text(\"Test metric regexes\")")
    wait_for_cell(page, "(source, job) => source.includes('from_job(\"' + job + '\", region=')",
                  SOLO)
    first_line = solo["algo-1"][0].strip()
    page.wait_for_function(
        "([job, text]) => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')]"
        ".some(c => (c.querySelector('.jp-InputArea-editor')?.textContent || '').includes(job)"
        " && (c.querySelector('.jp-OutputArea')?.textContent || '').includes(text))",
        arg=[f'from_job("{SOLO}"', first_line], timeout=90_000)
    wait_for_idle_kernel(page)
    assert "not found" not in cell_text(page, f'from_job("{SOLO}"')
    assert not output_errors(page)
    screenshot(page, "sidebar-listed-region.png")
    assert page.dialogs == []
