"""Shipped notebooks carry no outputs; the outputs nbval checks live in ``tests/notebooks/``.

The notebooks under ``notebooks/`` are what a user opens (on Binder, in ``metricwidgets demo``,
from the wheel): they must not show results of a run that did not happen. nbval compares the
cells marked ``# NBVAL_CHECK_OUTPUT`` with their saved outputs, so those are kept beside the
tests, one JSON file per notebook (``{cell id: outputs}``), and put back into the cells when
pytest collects the notebook (the pytest hooks below, loaded by the root ``conftest.py``).
After the last cell, every ``LivePlot`` still open in the kernel is closed, the cleanup the
notebooks themselves no longer do (their widgets stay on screen when run top to bottom).

Record the expected outputs again after changing a notebook (it runs each one once)::

    python -m tests.notebook_outputs record notebooks/01-quickstart.ipynb ...
    python -m tests.notebook_outputs strip notebooks/*.ipynb   # what a commit must hold
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import nbformat
import pytest
from nbval.plugin import IPyNbFile

REPO = Path(__file__).resolve().parents[1]
EXPECTED = REPO / "tests" / "notebooks"
CHECK_MARKER = "NBVAL_CHECK_OUTPUT"
#: Run in the notebook's kernel after its last cell: what the notebooks used to do themselves.
TEARDOWN = ("from metricwidgets.widgets.liveplot import LivePlot as _LivePlot\n"
            "_LivePlot.close_all()\n")

__all__ = ["ExpectedOutputsNotebook", "checked_cells", "expected_path", "is_clean",
           "load_expected", "record", "strip"]


def expected_path(notebook: Path) -> Path:
    return EXPECTED / f"{Path(notebook).stem}.outputs.json"


def checked_cells(nb) -> list:
    """The code cells whose outputs nbval compares."""
    return [c for c in nb.cells if c.cell_type == "code" and CHECK_MARKER in c.source]


def is_clean(nb) -> list[str]:
    """What in ``nb`` would show a run that did not happen (empty: clean)."""
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if cell.get("outputs"):
            found.append(f"cell {index} has outputs")
        if cell.get("execution_count") is not None:
            found.append(f"cell {index} has an execution count")
        if "execution" in cell.get("metadata", {}):
            found.append(f"cell {index} has execution timestamps")
    if "widgets" in nb.metadata:
        found.append("saved widget state")
    return found


def strip(nb):
    """Remove outputs, execution counts, timestamps and widget state, in place."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
    nb.metadata.pop("widgets", None)
    return nb


def load_expected(notebook: Path) -> dict[str, list]:
    path = expected_path(notebook)
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def record(notebook: Path, timeout: float = 600) -> Path:
    """Run ``notebook`` top to bottom and save the checked cells' outputs."""
    from nbclient import NotebookClient

    nb = nbformat.read(notebook, as_version=4)
    NotebookClient(nb, timeout=timeout, resources={"metadata": {"path": str(notebook.parent)}}
                   ).execute()
    outputs = {c.id: [_plain(o) for o in c.outputs] for c in checked_cells(nb)}
    EXPECTED.mkdir(parents=True, exist_ok=True)
    path = expected_path(notebook)
    path.write_text(json.dumps(outputs, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


def _plain(output) -> dict:
    output = dict(output)
    if "execution_count" in output:  # nbval ignores it; a stable file diffs better
        output["execution_count"] = None
    return output


# ---------------------------------------------------------------------- pytest hooks
class ExpectedOutputsNotebook(IPyNbFile):
    """nbval's notebook, with the expected outputs put back into its checked cells, and its
    plots closed in the kernel before the kernel stops."""

    def collect(self):
        expected = load_expected(Path(self.fspath))
        for item in super().collect():
            if item.cell.get("id") in expected:
                item.cell.outputs = [nbformat.from_dict(o) for o in expected[item.cell.id]]
                # nbval refuses outputs of a cell that never ran; the count is not compared.
                item.cell.execution_count = 1
            yield item

    def teardown(self):
        try:
            if self.kernel is not None and self.kernel.is_alive():
                msg_id = self.kernel.execute_cell_input(TEARDOWN, allow_stdin=False)
                self.kernel.await_idle(msg_id, 60)
        finally:
            super().teardown()


@pytest.hookimpl(wrapper=True)
def pytest_collect_file(file_path, parent):
    collected = yield
    if file_path.suffix != ".ipynb" or not collected:
        return collected
    return [ExpectedOutputsNotebook.from_parent(parent, path=file_path)
            if type(node) is IPyNbFile else node for node in collected]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.notebook_outputs")
    parser.add_argument("action", choices=["record", "strip", "check"])
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    dirty = 0
    for path in args.notebooks:
        if args.action == "record":
            print(f"{path}: expected outputs in {record(path).relative_to(REPO)}")
        nb = nbformat.read(path, as_version=4)
        if args.action == "check":
            problems = is_clean(nb)
            dirty += bool(problems)
            for problem in problems:
                print(f"{path}: {problem}")
        else:
            nbformat.write(strip(nb), path)
    return 1 if dirty else 0


if __name__ == "__main__":
    raise SystemExit(main())
