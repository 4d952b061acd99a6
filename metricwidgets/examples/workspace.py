"""Find the example notebooks and copy them into a working folder without clobbering edits.

The notebooks have one source of truth, ``notebooks/`` at the top of the repository (the copy
nbval tests). A wheel carries them as ``metricwidgets/examples/notebooks/`` (hatch
``force-include``); an editable install reads them from the repository itself.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["QUICKSTART", "CopyReport", "copy_examples", "example_notebooks", "notebooks_dir"]

#: The notebook the demo (and Binder) opens first.
QUICKSTART = "01-quickstart.ipynb"

_HERE = Path(__file__).resolve().parent
#: Where the notebooks are, in order of preference: inside an installed wheel, then the
#: repository checkout an editable install points at.
_CANDIDATES = (_HERE / "notebooks", _HERE.parents[1] / "notebooks")


def notebooks_dir() -> Path:
    """Return the folder holding the example notebooks.

    Raises
    ------
    FileNotFoundError
        If neither an installed copy nor a repository checkout holds the quick-start.
    """
    for candidate in _CANDIDATES:
        if (candidate / QUICKSTART).is_file():
            return candidate
    raise FileNotFoundError(
        "the example notebooks are missing from this installation of metricwidgets "
        f"(looked in {', '.join(str(c) for c in _CANDIDATES)})")


def example_notebooks() -> list[Path]:
    """Return the example notebooks, sorted by name (``01-...`` first)."""
    return sorted(notebooks_dir().glob("[0-9][0-9]-*.ipynb"))


@dataclass
class CopyReport:
    """What :func:`copy_examples` did: file names copied, and those left as the user had them."""

    copied: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def copy_examples(destination: Path) -> CopyReport:
    """Copy every example notebook into ``destination`` (created if needed).

    A notebook already present there is never overwritten, whether or not the user edited it:
    the demo can be started again and again without losing work.
    """
    destination = Path(destination)
    destination.mkdir(parents=True, exist_ok=True)
    report = CopyReport()
    for source in example_notebooks():
        target = destination / source.name
        if target.exists():
            report.kept.append(source.name)
        else:
            shutil.copyfile(source, target)
            report.copied.append(source.name)
    return report
