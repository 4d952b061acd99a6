"""The shipped notebooks show no run that did not happen, and leave their widgets alone.

The outputs nbval checks are recorded in ``tests/notebooks/`` (see tests/notebook_outputs.py),
so the notebooks in the repository and in the wheel carry none.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import nbformat
import pytest

from tests.notebook_outputs import checked_cells, is_clean, load_expected

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))
# What would remove a notebook's own widgets, or stop what they show.
CLOSING = re.compile(r"\.close\(\)|\.close_all\(\)|clear_output\(|\.stop\(\)")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_repository_copy_has_no_outputs(path):
    assert is_clean(nbformat.read(path, as_version=4)) == []


def test_the_wheel_copies_have_no_outputs(built_wheel):
    with zipfile.ZipFile(built_wheel) as wheel:
        shipped = [n for n in wheel.namelist()
                   if n.startswith("metricwidgets/examples/notebooks/") and n.endswith(".ipynb")]
        assert sorted(Path(n).name for n in shipped) == [p.name for p in NOTEBOOKS]
        for name in shipped:
            assert is_clean(nbformat.reads(wheel.read(name).decode(), as_version=4)) == [], name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_checked_cell_has_recorded_outputs_and_no_record_is_stale(path):
    nb = nbformat.read(path, as_version=4)
    expected = load_expected(path)
    checked = {c.id for c in checked_cells(nb)}
    assert sorted(checked - set(expected)) == [], "record them: python -m tests.notebook_outputs"
    assert sorted(set(expected) - checked) == []
    assert all(expected[cell_id] for cell_id in checked)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_code_cell_closes_or_clears_the_notebooks_widgets(path):
    nb = nbformat.read(path, as_version=4)
    closing = [c.source for c in nb.cells if c.cell_type == "code" and CLOSING.search(c.source)]
    assert closing == []
