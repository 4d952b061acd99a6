"""Binder's build steps work: ``binder/postBuild`` run in a fresh virtual environment.

mybinder.org builds ``binder/environment.yml`` and then runs ``binder/postBuild`` from the
repository root. Here the environment is a ``python -m venv --system-site-packages`` (the big
dependencies are not downloaded again), and postBuild must still install the project itself
from a clean copy of the checkout.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.packaging.venvs import clean_env, make_venv

REPO = Path(__file__).resolve().parents[2]
#: A Binder link opens JupyterLab on ``?urlpath=lab/tree/<path>`` (or ``labpath=<path>``).
BINDER_LINK = re.compile(r"https://mybinder\.org/v2/\S+?\?(?:urlpath=lab/tree/|labpath=)([^)\s\"'&]+)")


#: What a fresh clone lacks, for a copy made without git.
_NOT_IN_A_CLONE = shutil.ignore_patterns(
    ".git", "node_modules", "__pycache__", "*.egg-info", "build", "dist", ".venv",
    "test-artifacts", "metricwidgets-demo", ".ipynb_checkpoints", "labextension/lib")


def _copy_checkout(destination: Path) -> None:
    """Copy the files a fresh clone would have (tracked, or new and not ignored)."""
    if shutil.which("git") is None or not (REPO / ".git").exists():
        shutil.copytree(REPO, destination, ignore=_NOT_IN_A_CLONE)
        return
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO, capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)


def _binder_opens() -> str:
    links = BINDER_LINK.findall((REPO / "README.md").read_text(encoding="utf-8"))
    assert links, "README.md has no Binder link that opens a notebook"
    return links[0]


def test_readme_binder_link_opens_the_quickstart_notebook():
    opened = _binder_opens()
    assert opened == "notebooks/01-quickstart.ipynb"
    assert (REPO / opened).is_file()


def test_binder_environment_provides_python_node_and_pip():
    text = (REPO / "binder" / "environment.yml").read_text(encoding="utf-8")
    dependencies = re.findall(r"^\s*-\s*([A-Za-z0-9_.-]+)", text, flags=re.MULTILINE)
    assert {"python", "nodejs", "pip"} <= set(dependencies)


@pytest.mark.timeout(420)
def test_postbuild_installs_the_project_into_a_fresh_environment(tmp_path):
    checkout = tmp_path / "repo"
    _copy_checkout(checkout)
    venv = tmp_path / "venv"
    bindir = make_venv(venv).parent  # sees the running environment's packages, in a venv too
    env = clean_env(venv)

    build = subprocess.run(["bash", "binder/postBuild"], cwd=checkout, env=env,
                           capture_output=True, text=True, timeout=400)
    assert build.returncode == 0, f"postBuild failed:\n{build.stdout[-3000:]}\n{build.stderr[-3000:]}"

    # The project was installed into the new environment (not borrowed from the system's
    # editable install), with the notebooks the demo copies.
    probe = subprocess.run(
        [str(bindir / "python"), "-c",
         "import metricwidgets, metricwidgets.examples.workspace as w; "
         "print(metricwidgets.__file__); print(w.notebooks_dir())"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=True)
    module_file, notebooks = probe.stdout.split()
    assert Path(module_file).resolve().is_relative_to(venv.resolve())
    assert Path(notebooks).resolve().is_relative_to(venv.resolve())
    assert (Path(notebooks) / "01-quickstart.ipynb").is_file()
    assert (checkout / _binder_opens()).is_file()
