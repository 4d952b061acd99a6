"""A plain install (no ``demo`` extra) opening notebooks 03-05: one line, not a traceback.

Given a real kernel where moto cannot be imported (as after ``pip install metricwidgets``),
when the shipped notebook runs up to its cell that starts the stand-in, then that cell's
error output is the single line saying ``pip install "metricwidgets[demo]"``.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"

# A plain install has no moto: a meta-path hider makes it unimportable in this kernel only.
HIDE_MOTO = "import sys\nsys.modules['moto'] = None\n"


@pytest.mark.parametrize("name", ["03-sagemaker-live", "04-analyse-finished-job",
                                  "05-tuning-job"])
def test_the_stand_in_cell_says_how_to_install_the_demo_extra(name):
    shipped = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    code = [c for c in shipped.cells if c.cell_type == "code"]
    upto = next(i for i, c in enumerate(code) if "metricwidgets.testing" in c.source)
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(HIDE_MOTO)] + code[:upto + 1],
        metadata=shipped.metadata)
    NotebookClient(notebook, timeout=120, allow_errors=True,
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    errors = [o for c in notebook.cells for o in c.get("outputs", [])
              if o.output_type == "error"]
    assert len(errors) == 1, errors
    (error,) = errors
    assert error.ename == "MissingDemoExtra"
    assert len(error.traceback) == 1, error.traceback
    assert error.traceback[0].endswith('pip install "metricwidgets[demo]"')
    assert "\n" not in error.traceback[0]
