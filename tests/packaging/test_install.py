"""The wheel carries both halves of the Jupyter extension, enabled with no manual step.

Given a wheel built from this checkout (``pip wheel .``, which runs the labextension build),
when it is installed into a fresh virtual environment, then ``jupyter labextension list``
and ``jupyter server extension list`` of that environment show metricwidgets enabled and OK,
from the environment's own directories.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.packaging.venvs import clean_env, make_venv

REPO = Path(__file__).resolve().parents[2]
#: The one version of both halves (hatch-nodejs-version reads it at build time).
VERSION = json.loads((REPO / "labextension" / "package.json").read_text())["version"]
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _sections(text: str, header: re.Pattern) -> dict[str, str]:
    """Split a ``list`` command's output into {directory: lines below it}."""
    sections, current = {}, None
    for line in ANSI.sub("", text).splitlines():
        match = header.match(line.strip())
        if match:
            current = match.group(1)
            sections[current] = ""
        elif current is not None:
            sections[current] += line + "\n"
    return sections


@pytest.fixture(scope="module")
def venv(tmp_path_factory, built_wheel):
    """A venv (seeing the running environment's jupyterlab) with the built wheel installed."""
    env_dir = tmp_path_factory.mktemp("install") / "venv"
    python = make_venv(env_dir)
    # --ignore-installed: the running environment may hold metricwidgets too (editable)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--ignore-installed",
                    str(built_wheel)],
                   check=True, timeout=300, capture_output=True, env=clean_env(env_dir))
    return env_dir, python, built_wheel


def _run(python: Path, module: str, cwd: Path) -> str:
    done = subprocess.run([str(python), "-m", module, "list"], cwd=cwd,
                          env=clean_env(python.parent.parent),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def test_wheel_ships_the_prebuilt_labextension_and_the_server_config(venv):
    _, _, wheel = venv
    names = zipfile.ZipFile(wheel).namelist()
    data = f"metricwidgets-{VERSION}.data/data/"
    assert f"{data}etc/jupyter/jupyter_server_config.d/metricwidgets.json" in names
    assert f"{data}share/jupyter/labextensions/metricwidgets/package.json" in names
    assert any(re.match(rf"{data}share/jupyter/labextensions/metricwidgets/static/"
                        r"remoteEntry\.\w+\.js$", name) for name in names)
    assert f"{data}share/jupyter/labextensions/metricwidgets/schemas/metricwidgets/plugin.json" \
        in names


def test_labextension_list_shows_it_enabled_and_ok_from_the_environment(venv, tmp_path):
    env_dir, python, _ = venv
    text = _run(python, "jupyterlab.labextensions", tmp_path)
    sections = _sections(text, re.compile(r"^(/\S+/labextensions)$"))
    ours = sections.get(str(env_dir / "share" / "jupyter" / "labextensions"), "")
    assert re.search(rf"metricwidgets v{re.escape(VERSION)} enabled\s+OK \(python, metricwidgets\)",
                     ours), text


def test_server_extension_list_shows_it_enabled_and_ok_from_the_environment(venv, tmp_path):
    env_dir, python, _ = venv
    text = _run(python, "jupyter_server.extension.serverextension", tmp_path)
    sections = _sections(text, re.compile(r"^Config dir: (\S+)$"))
    ours = sections.get(str(env_dir / "etc" / "jupyter"), "")
    assert re.search(r"metricwidgets enabled", ours), text
    assert re.search(rf"metricwidgets {re.escape(VERSION)} OK", ours), text


def test_the_python_package_has_the_labextensions_version(venv, tmp_path):
    _, python, wheel = venv
    assert wheel.name.startswith(f"metricwidgets-{VERSION}-")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([str(python), "-c",
                           "import metricwidgets; print(metricwidgets.__version__)"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.stdout.strip() == VERSION, done.stderr
