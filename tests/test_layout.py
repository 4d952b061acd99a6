"""The house's layout limits, read from the package's source with ``ast`` (``make lint`` runs it).

The folders follow the data's way (CONTRIBUTING, "Where things live"): each layer imports only
from layers below it, the core imports no widget or AWS library, the doors (the magics, the
CLI, the server extension) never import one another, and a private name (``_module``,
``obj._attr``) is reached only from inside what owns it. Every import counts, including the
ones made late inside a function.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "metricwidgets"

#: Each top-level part of the package and its layer: a module may import its own layer and
#: those below, never one above. The doors and the helpers sit on top.
LAYERS = {
    "errors": 0,
    "core": 1,
    "sources": 2,
    "options": 3,
    "polling": 4,
    "api": 5, "widgets": 5,
    "magics": 6, "cli": 6, "server": 6, "__main__": 6,
    "testing": 7,
    # the example training job and notebooks: content the demo door serves, on the core only
    "examples": 1,
    "__init__": 8,
}
#: The doors onto the package: none imports another (``__main__`` is the CLI's).
DOORS = {"magics": "magics", "cli": "cli", "__main__": "cli", "server": "server"}
#: Libraries the core must not import: widgets, notebooks, AWS, servers.
NOT_IN_CORE = {"ipywidgets", "bqplot", "IPython", "boto3", "botocore", "moto", "tornado",
               "jupyter_server", "anywidget"}
NOT_IN_SOURCES = {"ipywidgets", "bqplot", "IPython", "anywidget"}
MAX_LINES = 500
MAX_ENTRIES = 8


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> list[tuple[str, Path]]:
    return sorted((_module_name(path), path) for path in PACKAGE.rglob("*.py")
                  if "labextension" not in path.parts)


def _imports(tree: ast.AST) -> list[tuple[int, str]]:
    """``(line, module)`` for every import (``from a import b`` gives ``a`` and ``a.b``)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def _part(module: str) -> str:
    """The top-level part of the package a module belongs to (``metricwidgets`` alone is
    its ``__init__``)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _layer_violations(module: str, tree: ast.AST) -> list[str]:
    own = LAYERS[_part(module)]
    bad = []
    for line, imported in _imports(tree):
        if imported.split(".")[0] != "metricwidgets" or imported == "metricwidgets":
            continue
        part = _part(imported)
        if part in LAYERS and LAYERS[part] > own:
            bad.append(f"{module}:{line} imports metricwidgets.{part} (above {_part(module)})")
    return sorted(set(bad))


def _is_super(node: ast.AST) -> bool:
    """``super()``: the object's own inherited attribute, not another object's."""
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == "super")


def _is_private(name: str) -> bool:
    """``_name`` and ``__name`` (mangled) are private; ``__name__`` is Python's own."""
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _is_own(node: ast.AST) -> bool:
    """``self``, ``cls`` or ``super()``: the object's own attributes."""
    return (isinstance(node, ast.Name) and node.id in ("self", "cls")) or _is_super(node)


def _private_by_name(node: ast.AST) -> str | None:
    """``getattr(obj, "_attr")`` (or ``setattr``/``hasattr``/``delattr``) on another object:
    the attribute's name, else None."""
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "setattr", "hasattr", "delattr")
            and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str) and _is_private(node.args[1].value)
            and not _is_own(node.args[0])):
        return node.args[1].value
    return None


def _private_violations(module: str, tree: ast.AST) -> list[str]:
    """Private names reached from outside: a ``_module`` or ``_name`` imported by a module
    outside what it belongs to (its package, its module), ``obj._attr`` (or
    ``getattr(obj, "_attr")``) on anything but ``self``, ``cls`` and ``super()``."""
    bad = []
    for line, imported in _imports(tree):
        parts = imported.split(".")
        if parts[0] != "metricwidgets":
            continue
        for i, part in enumerate(parts):
            owner = ".".join(parts[:i])  # what the private name belongs to
            if (_is_private(part) and module != owner
                    and not module.startswith(owner + ".")):
                bad.append(f"{module}:{line} imports the private {owner}.{part}")
                break
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and _is_private(node.attr)
                and not _is_own(node.value)):
            bad.append(f"{module}:{node.lineno} reaches {ast.unparse(node)}")
        elif (name := _private_by_name(node)) is not None:
            bad.append(f"{module}:{node.lineno} reaches {name} by name: {ast.unparse(node)}")
    return sorted(set(bad))  # ``from a import b`` is seen as ``a`` and ``a.b``


def _relative_imports(module: str, tree: ast.AST) -> list[str]:
    """``from .x import y``: the checks here read absolute names, so the package spells
    every import out."""
    return [f"{module}:{node.lineno} imports relatively: {ast.unparse(node)}"
            for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.level]


def _all(check) -> list[str]:
    bad = []
    for module, path in _modules():
        bad += check(module, ast.parse(path.read_text(), str(path)))
    return bad


def test_every_part_of_the_package_has_a_layer():
    assert {_part(module) for module, _ in _modules()} <= set(LAYERS)


def test_no_module_imports_from_a_layer_above_its_own():
    assert _all(_layer_violations) == []


def test_the_core_imports_no_widget_or_aws_library_and_only_the_core():
    bad = []
    for module, path in _modules():
        if _part(module) != "core":
            continue
        for line, imported in _imports(ast.parse(path.read_text())):
            top = imported.split(".")[0]
            ours = top == "metricwidgets" and _part(imported) not in ("core", "errors")
            if top in NOT_IN_CORE or ours:
                bad.append(f"{module}:{line} imports {imported}")
    assert bad == []


def test_sources_import_no_widget_library():
    bad = [f"{module}:{line} imports {imported}"
           for module, path in _modules() if _part(module) == "sources"
           for line, imported in _imports(ast.parse(path.read_text()))
           if imported.split(".")[0] in NOT_IN_SOURCES]
    assert bad == []


def test_no_door_imports_another_door():
    bad = []
    for module, path in _modules():
        door = DOORS.get(_part(module))
        if door is None:
            continue
        for line, imported in _imports(ast.parse(path.read_text())):
            other = DOORS.get(_part(imported)) if imported.startswith("metricwidgets.") else None
            if other is not None and other != door:
                bad.append(f"{module}:{line} ({door}) imports {imported} ({other})")
    assert bad == []


def test_no_private_name_is_reached_from_outside_what_owns_it():
    assert _all(_private_violations) == []


def test_every_import_is_absolute():
    assert _all(_relative_imports) == []


def test_the_import_checks_see_a_relative_import():
    found = _relative_imports("metricwidgets.core.diagnosis._noise",
                              ast.parse("from ..parsing._values import parse_value\n"))
    assert len(found) == 1 and "from ..parsing._values import parse_value" in found[0]


@pytest.mark.parametrize("module, source, expected", [
    ("metricwidgets.widgets.runs_table", "from metricwidgets.core.parsing._values import x",
     "imports the private metricwidgets.core.parsing._values"),
    ("metricwidgets.polling.watch", "def f(job):\n    return job._parse",
     "reaches job._parse"),
    ("metricwidgets.cli.fetch", "from metricwidgets.api import _limit",
     "imports the private metricwidgets.api._limit"),
    ("metricwidgets.polling.job_list", "def f(watch):\n    return getattr(watch, '_jobs', [])",
     "reaches _jobs by name: getattr(watch, '_jobs', [])"),
    ("metricwidgets.polling.job_list", "def f(watch):\n    setattr(watch, '_parked', {})",
     "reaches _parked by name"),
    ("metricwidgets.widgets.runs_table", "def f(plot):\n    return plot.__cache",
     "reaches plot.__cache"),
])
def test_the_private_name_check_sees_each_kind_of_reach(module, source, expected):
    found = _private_violations(module, ast.parse(source))
    assert len(found) == 1 and expected in found[0]


def test_the_private_name_check_allows_a_package_its_own_modules_and_self():
    source = ("from metricwidgets.core.parsing._values import parse_value\n"
              "class A:\n    def f(self):\n"
              "        return (self._x, type(self).__name__, super()._y,\n"
              "                getattr(self, '_z', None), getattr(type(self), '__doc__'))\n")
    assert _private_violations("metricwidgets.core.parsing", ast.parse(source)) == []


def test_the_layer_check_sees_an_import_from_above():
    source = "def f():\n    from metricwidgets.widgets.liveplot import LivePlot\n"
    found = _layer_violations("metricwidgets.sources.factory", ast.parse(source))
    assert found == ["metricwidgets.sources.factory:2 imports metricwidgets.widgets (above sources)"]


def _base_name(module: str) -> str:
    """A module's own name without its leading underscores: ``_guard`` and ``guard`` read the
    same in prose, in a search and in a traceback's file name; the underscore only says who
    may import it, not that it is another thing."""
    return module.rsplit(".", 1)[-1].lstrip("_")


def _name_clashes(modules: list[str]) -> list[str]:
    """Base names shared by modules (packages count: ``core.diagnosis`` is a module too) of
    different parts of the package, a part being a layer's own folder or module (``cli`` and
    ``server`` are both doors, and still two places a name can mean two things). The dunders
    are Python's names, the same everywhere; sub-packages of one part (``widgets/liveplot``,
    ``widgets/playground``) may each keep a private module of the same name."""
    by_name = defaultdict(set)
    for module in modules:
        if module != "metricwidgets" and not module.rsplit(".", 1)[-1].startswith("__"):
            by_name[_base_name(module)].add(module)
    return [f"{name}: {', '.join(sorted(found))}" for name, found in sorted(by_name.items())
            if len({_part(module) for module in found}) > 1]


def test_no_two_modules_of_different_parts_share_a_name():
    assert _name_clashes([module for module, _ in _modules()]) == []


@pytest.mark.parametrize("modules, clash", [
    (["metricwidgets.cli.watch", "metricwidgets.polling.watch"], "watch"),
    (["metricwidgets.core.parsing._guard", "metricwidgets.polling.guard"], "guard"),
    (["metricwidgets.core.diagnosis", "metricwidgets.cli.diagnosis"], "diagnosis"),
    (["metricwidgets.cli.fetch", "metricwidgets.server.fetch"], "fetch"),
])
def test_the_name_check_sees_a_clash_across_parts(modules, clash):
    assert _name_clashes(modules) == [f"{clash}: {', '.join(sorted(modules))}"]


def test_the_name_check_allows_dunders_and_siblings_in_one_part():
    assert _name_clashes(["metricwidgets.__main__", "metricwidgets.testing.__main__",
                          "metricwidgets.cli", "metricwidgets.server",
                          "metricwidgets.widgets.liveplot._rows",
                          "metricwidgets.widgets.playground._rows"]) == []


def test_no_module_is_over_500_lines():
    long = {module: n for module, path in _modules()
            if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert long == {}


@pytest.mark.parametrize("folder", ["core", "widgets"])
def test_core_and_widgets_have_at_most_8_entries_at_their_top(folder):
    entries = [p.name for p in (PACKAGE / folder).iterdir() if p.name != "__pycache__"]
    assert len(entries) <= MAX_ENTRIES, sorted(entries)
