"""The RunsTable in chromium, at JupyterLab's default width and at 800 px: a table a user
(and a screen reader) can read.

The notebook lists three finished jobs of the stand-in with :func:`metricwidgets.list_jobs`
and adds 997 rows of the same shape (a sweep of 1,000 jobs), shown all at once. Measured
in the page: every job on one line, each column's cells starting where its header does,
numbers ending at their cell's right edge, no cell's text cut or over another's, the whole
best row highlighted, the header still at the top of the box after scrolling to the 1,000th
row, each cell's text a table cell in the accessibility tree; ticking a listed job overlays
it in a chart under the table.

The Lab-width run refreshes the README's ``docs/runs-table.png`` with
``METRICWIDGETS_REFRESH_SCREENSHOT=1`` (never in CI: a test run leaves the tree clean).
"""

from __future__ import annotations

import pytest

from metricwidgets.testing.standin import StandIn
from tests.browser.chart_geometry import overlaps
from tests.browser.lab import (
    WIDTHS,
    docs_screenshot,
    open_notebook,
    run_all_cells,
    screenshot,
    wait_until,
    write_notebook,
)

pytestmark = pytest.mark.browser

PREFIX = "table-job"
TABLE = ".metricwidgets-runs-table"
GRID = f"{TABLE} .metricwidgets-runs-grid"
ROWS = 1000

CELLS = [
    "import metricwidgets, pandas as pd, numpy as np\n"
    f"listed = metricwidgets.list_jobs(name_contains={PREFIX!r})\n"
    "rng = np.random.default_rng(0)\n"
    f"n = {ROWS} - len(listed)\n"
    "sweep = pd.DataFrame({\n"
    "    'name': [f'sweep-lr-search-{i:04d}' for i in range(n)],\n"
    "    'status': ['Completed'] * n,\n"
    "    'created': listed['created'].iloc[0] - pd.to_timedelta(np.arange(n) * 97, 's'),\n"
    "    'duration_s': rng.uniform(300, 9000, n).round(3),\n"
    "    'billable_s': rng.uniform(300, 9000, n).round(0),\n"
    "    **{c: rng.uniform(0.2, 0.9, n) for c in listed.columns if c.startswith('final:')},\n"
    "})\n"
    "frame = pd.concat([listed, sweep], ignore_index=True)\n"
    f"table = metricwidgets.RunsTable(frame, page_size={ROWS})\n"
    "table",
]

#: Per row: its height, best or not, background, and each cell's box, text, text box, clipped
#: or not, alignment; the header cells' boxes; the scrolling box's and the header's boxes.
_MEASURE_JS = """(grid) => {
    const root = document.querySelector(grid);
    if (!root) return null;
    const box = el => { const b = el.getBoundingClientRect();
                        return [b.left, b.top, b.right, b.bottom]; };
    const textBox = el => { const r = document.createRange(); r.selectNodeContents(el);
                            const b = r.getBoundingClientRect();
                            return [b.left, b.top, b.right, b.bottom]; };
    const cells = tr => [...tr.children].filter(td => !td.classList.contains('tick'));
    const rows = [...root.querySelectorAll('tbody tr')].map(tr => ({
        height: tr.getBoundingClientRect().height, best: tr.classList.contains('best'),
        background: getComputedStyle(tr).backgroundColor, box: box(tr),
        tick_background: getComputedStyle(tr.querySelector('td.tick')).backgroundColor,
        cells: cells(tr).map(td => ({
            text: td.textContent, box: box(td), text_box: textBox(td),
            clipped: td.scrollWidth > td.clientWidth, align: getComputedStyle(td).textAlign,
            right_padding: parseFloat(getComputedStyle(td).paddingRight)}))}));
    const head = root.querySelector('thead tr');
    // The header's cells are what stick (position: sticky on each th), not their row.
    return {rows, grid: box(root), head: head ? box(head.firstElementChild) : null,
            header: head ? cells(head).map(th => ({text: th.textContent.trim(),
                                                   box: box(th)})) : []};
}"""


def measure(page) -> dict | None:
    return page.evaluate(_MEASURE_JS, GRID)


def table_problems(m: dict | None, rows: int = ROWS) -> list[str]:
    """Everything that makes the table hard to read (empty: nothing)."""
    if m is None or len(m["rows"]) != rows:
        return [f"{0 if m is None else len(m['rows'])} rows drawn, not {rows}"]
    found = []
    lefts = [h["box"][0] for h in m["header"]]
    for i, row in enumerate(m["rows"][:60]):  # those on screen and a little beyond
        if row["height"] > 32:
            found.append(f"row {i} is {row['height']:.0f} px tall: more than one line")
        for cell, left in zip(row["cells"], lefts):
            if abs(cell["box"][0] - left) > 1.5:
                found.append(f"row {i} {cell['text']!r} starts at {cell['box'][0]:.0f}, "
                             f"its header at {left:.0f}")
            if cell["clipped"]:
                found.append(f"row {i} {cell['text']!r} is cut off")
            if cell["align"] == "right" and cell["text"] and \
                    abs(cell["box"][2] - cell["right_padding"] - cell["text_box"][2]) > 2:
                found.append(f"row {i} {cell['text']!r} not at its cell's right edge")
        words = [{"text": c["text"], "box": c["text_box"]} for c in row["cells"] if c["text"]]
        found += [f"row {i}: {a!r} over {b!r}" for a, b in overlaps(words)]
    found += [f"header: {a!r} over {b!r}" for a, b in overlaps(m["header"])]
    if not any(c["align"] == "right" for c in m["rows"][0]["cells"]):
        found.append("no number right-aligned")
    return found


@pytest.fixture(scope="module")
def aws():
    with StandIn() as standin:
        for i in range(3):
            standin.write_finished_job(f"{PREFIX}-{i}", lines_per_host=12, instance_count=1,
                                       seed=i)
        yield standin


@pytest.mark.timeout(300)
@pytest.mark.parametrize("width", list(WIDTHS))
def test_a_thousand_jobs_read_as_a_table(lab_on_standin, page, width):
    url, root = lab_on_standin
    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    write_notebook(root / "table.ipynb", CELLS)
    open_notebook(page, url, "table.ipynb")
    run_all_cells(page)
    last = []

    def right():
        last[:] = table_problems(measure(page))
        return not last

    try:
        wait_until(right, 120, what="a legible table of 1,000 jobs")
    except TimeoutError:
        screenshot(page, f"runs_table_{width}_failed.png")
        raise AssertionError(last[:20]) from None
    page.locator(GRID).scroll_into_view_if_needed()
    assert page.locator(f"{TABLE} .widget-label", has_text="1,000 jobs, page 1/1").count()
    m = measure(page)
    # The whole best row is highlighted (its checkbox's cell too), and only that row.
    best = [r for r in m["rows"] if r["best"]]
    assert len(best) == 1 and best[0]["background"] == "rgb(232, 244, 232)"
    assert best[0]["tick_background"] in ("rgba(0, 0, 0, 0)", best[0]["background"])
    assert "rgb(232, 244, 232)" not in {r["background"] for r in m["rows"] if not r["best"]}
    # Screen readers: each value is a cell of a table in the accessibility tree.
    assert page.get_by_role("cell", name="sweep-lr-search-0500", exact=True).count() == 1
    assert page.get_by_role("columnheader", name="duration_s").count() == 1
    assert page.get_by_role("checkbox", name="overlay sweep-lr-search-0500").count() == 1
    screenshot(page, f"runs_table_{width}.png")
    if width == "lab":  # the table as a user sees it, for the README
        docs_screenshot(page.locator(TABLE), "runs-table.png")

    # The header stays at the top of the box while the rows scroll to the last one.
    page.eval_on_selector(GRID, "g => { g.scrollTop = g.scrollHeight; }")
    wait_until(lambda: abs(measure(page)["head"][1] - measure(page)["grid"][1]) <= 1, 20,
               what="the header at the top of the scrolled box")
    last_row = measure(page)["rows"][-1]["box"]
    assert measure(page)["grid"][1] < last_row[1] < measure(page)["grid"][3]
    screenshot(page, f"runs_table_{width}_scrolled.png")

    # Filtering to one job says "1 job"; ticking it overlays it in a chart under the table.
    page.eval_on_selector(GRID, "g => { g.scrollTop = 0; }")
    text = page.locator(f"{TABLE} input[type=text]").first
    text.fill(f"{PREFIX}-1")
    text.press("Enter")
    wait_until(lambda: page.locator(f"{TABLE} .widget-label",
                                    has_text="1 job, page 1/1").count() == 1
               and len(measure(page)["rows"]) == 1, 30, what="'1 job'")
    page.get_by_role("checkbox", name=f"overlay {PREFIX}-1").check()
    page.wait_for_selector(f"{TABLE} .metricwidgets-liveplot .metricwidgets-chart path.line",
                           timeout=60_000)
    assert not page.dialogs
