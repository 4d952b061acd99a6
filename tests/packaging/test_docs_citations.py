"""Code, tests and docs cite documents inside the repository (docs/sagemaker.md), never outside."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SEARCHED = ["metricwidgets", "tests", "labextension/src", "docs", "notebooks"]
TOP_FILES = ["README.md", "CONTRIBUTING.md", "Makefile", "pyproject.toml"]
SUFFIXES = {".py", ".ts", ".tsx", ".md", ".ipynb", ".toml", ".css", ""}
# A path outside the checkout: the team's shared notes, or any ../ climb to a markdown file.
OUTSIDE = re.compile(r"(?:\.\./|\b)shared/[A-Z]+\.md|\.\./[\w./-]*\.md")
CITED_DOC = re.compile(r"\bdocs/([\w-]+\.md)")


def _files():
    for top in SEARCHED:
        for path in (REPO / top).rglob("*"):
            if path.is_file() and path.suffix in SUFFIXES and "node_modules" not in path.parts:
                yield path
    for name in TOP_FILES:
        yield REPO / name


def test_nothing_cites_a_document_outside_the_repository():
    this = Path(__file__).resolve()
    found = [f"{p.relative_to(REPO)}: {m.group(0)}" for p in _files() if p.resolve() != this
             for m in OUTSIDE.finditer(p.read_text(encoding="utf-8", errors="replace"))]
    assert found == []


def test_the_code_cites_the_in_repo_sagemaker_reference_and_it_is_there():
    citing = {p.relative_to(REPO).as_posix() for p in _files()
              for m in CITED_DOC.finditer(p.read_text(encoding="utf-8", errors="replace"))
              if m.group(1) == "sagemaker.md"}
    assert "metricwidgets/sources/budget.py" in citing
    text = (REPO / "docs" / "sagemaker.md").read_text(encoding="utf-8")
    for section in ("## Metric definitions", "## Escaping", "## API limits and quotas"):
        assert section in text


# A cited document followed by a quoted section title, as in the code's comments.
CITED_SECTION = re.compile(r"\bdocs/([\w-]+\.md)`?,\s*\"([^\"\n]+)\"")


def test_every_cited_document_and_section_exists():
    """A citation of ``docs/<name>.md`` anywhere in code, tests or docs names a file that is
    there (and, when it names a section in quotes, a heading with that title)."""
    this = Path(__file__).resolve()
    missing = []
    for path in _files():
        if path.resolve() == this:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        where = path.relative_to(REPO).as_posix()
        for m in CITED_DOC.finditer(text):
            if not (REPO / "docs" / m.group(1)).is_file():
                missing.append(f"{where}: docs/{m.group(1)}")
        for m in CITED_SECTION.finditer(text):
            doc = REPO / "docs" / m.group(1)
            headings = [line.lstrip("#").strip() for line in
                        doc.read_text(encoding="utf-8").splitlines()
                        if line.startswith("#")] if doc.is_file() else []
            if not any(h.startswith(m.group(2)) for h in headings):
                missing.append(f"{where}: docs/{m.group(1)}, \"{m.group(2)}\"")
    assert missing == []


def test_instance_types_cites_the_instance_utilization_section():
    text = (REPO / "metricwidgets" / "core" / "diagnosis" / "_instance_types.py").read_text(encoding="utf-8")
    assert 'docs/sagemaker.md, "Instance utilization"' in text
    assert "### Instance utilization" in (REPO / "docs" / "sagemaker.md").read_text("utf-8")


# A file a document names in backticks by a path with a folder: `core/parsing/_values.py`.
NAMED_FILE = re.compile(r"`((?:[\w.-]+/)+[\w.-]+\.(?:py|ts|js|md|ipynb|json|css|png))`")
#: Where a named path may start: the repository, the package, the labextension's sources.
ROOTS = ["", "metricwidgets", "labextension"]


def test_every_file_the_documents_name_is_there():
    """The docs and the README/CONTRIBUTING name files by path (``core/parsing/_values.py``);
    a move of the layout must move the names too (docs/sagemaker.md named the flat
    ``core/values.py`` a whole stop after the move). What tests write is not in git."""
    docs = [*sorted((REPO / "docs").glob("*.md")), REPO / "README.md", REPO / "CONTRIBUTING.md"]
    missing = [f"{doc.relative_to(REPO)}: {m.group(1)}" for doc in docs
               for m in NAMED_FILE.finditer(doc.read_text(encoding="utf-8"))
               if not m.group(1).startswith("test-artifacts/")
               and not any((REPO / root / m.group(1)).exists() for root in ROOTS)]
    assert missing == []
