"""Run by *another* environment's python: execute notebooks top to bottom, report as JSON.

``python run_notebooks.py DIR`` runs every ``DIR/*.ipynb`` in its own kernel (nbclient, from
that environment's Jupyter), then a probe cell, and prints one JSON object per notebook:
``{"notebook", "errors", "probe"}``. The probe says which interpreter and which metricwidgets
ran, and which of the notebook's widgets are still open (a notebook must not close them).
It uses only what ``pip install metricwidgets[demo]`` brings (nbclient, nbformat).
"""

import json
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

# The widgets a notebook shows, by the names the shipped notebooks give them.
PROBE = """
import json as _json, sys as _sys, ipywidgets as _ipw, metricwidgets as _mw
_shown = {_n: _v for _n, _v in dict(globals()).items()
          if _n in ("plot", "published", "playground", "suggested", "table", "overlay")
          and isinstance(_v, _ipw.Widget)}
print("PROBE " + _json.dumps({"python": _sys.executable, "metricwidgets": _mw.__file__,
                             "open": sorted(_n for _n, _v in _shown.items() if _v.comm is not None),
                             "closed": sorted(_n for _n, _v in _shown.items() if _v.comm is None)}))
"""


def run(path: Path, timeout: float) -> dict:
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    errors = []
    try:
        client.execute()
    except CellExecutionError as exc:
        errors.append(str(exc)[-3000:])
    probe = None
    for output in nb.cells[-1].get("outputs", []):
        for line in output.get("text", "").splitlines():
            if line.startswith("PROBE "):
                probe = json.loads(line[len("PROBE "):])
    return {"notebook": path.name, "errors": errors, "probe": probe}


def main() -> int:
    folder = Path(sys.argv[1])
    timeout = float(sys.argv[2]) if len(sys.argv) > 2 else 600
    for path in sorted(folder.glob("*.ipynb")):
        print(json.dumps(run(path, timeout)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
