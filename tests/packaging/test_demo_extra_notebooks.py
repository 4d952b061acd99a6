"""What a new user gets from ``pip install "metricwidgets[demo]"`` alone: every notebook runs.

Given a fresh, isolated virtual environment (no system packages, no test extra) where only
the wheel built from this checkout is installed with its ``demo`` extra (from PyPI), when each
notebook the wheel ships is executed top to bottom in that environment's own kernel, then no
cell fails, the kernel is the environment's, and the widgets each notebook shows are still
open at the end (no notebook closes its own widgets).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.packaging.venvs import clean_env, make_venv

HERE = Path(__file__).resolve().parent
#: The widgets each notebook leaves on screen (names in the notebook).
SHOWN = {"01-quickstart.ipynb": {"plot", "suggested"},
         "02-regex-playground.ipynb": {"playground"},
         "03-sagemaker-live.ipynb": {"plot", "published"},
         "04-analyse-finished-job.ipynb": {"plot"},
         "05-tuning-job.ipynb": {"plot"},
         "06-compare-jobs.ipynb": {"plot", "table", "overlay"}}


@pytest.fixture(scope="module")
def demo_venv(tmp_path_factory, built_wheel):
    root = tmp_path_factory.mktemp("demo-extra")
    env_dir = root / "venv"
    python = make_venv(env_dir, see_running_env=False)
    env = clean_env(env_dir)
    # pip's own cache is kept: a second session does not download everything again.
    install = subprocess.run([str(python), "-m", "pip", "install", "-q",
                              "--disable-pip-version-check", f"{built_wheel}[demo]"],
                             env=env, capture_output=True, text=True, timeout=1500)
    assert install.returncode == 0, install.stderr[-3000:]
    return root, env_dir, python


def _shipped_notebooks(python: Path, env: dict, destination: Path) -> list[Path]:
    where = subprocess.run(
        [str(python), "-c",
         "from metricwidgets.examples.workspace import notebooks_dir; print(notebooks_dir())"],
        env=env, capture_output=True, text=True, timeout=120, check=True).stdout.strip()
    destination.mkdir()
    for notebook in sorted(Path(where).glob("*.ipynb")):
        shutil.copy2(notebook, destination / notebook.name)
    return sorted(destination.glob("*.ipynb"))


@pytest.mark.timeout(2400)
def test_every_shipped_notebook_runs_top_to_bottom_with_only_the_demo_extra(demo_venv):
    root, env_dir, python = demo_venv
    # Only this environment's kernelspecs and settings: none of the user's.
    env = clean_env(env_dir, JUPYTER_DATA_DIR=str(root / "data"),
                    JUPYTER_CONFIG_DIR=str(root / "config"), IPYTHONDIR=str(root / "ipython"))
    env = {k: v for k, v in env.items() if not k.startswith("METRICWIDGETS_")}
    workdir = root / "notebooks"
    shipped = _shipped_notebooks(python, env, workdir)
    assert {p.name for p in shipped} == set(SHOWN)
    done = subprocess.run([str(python), str(HERE / "run_notebooks.py"), str(workdir), "600"],
                          cwd=workdir, env=env, capture_output=True, text=True, timeout=2300)
    assert done.returncode == 0, done.stderr[-3000:]
    reports = {r["notebook"]: r for r in map(json.loads, done.stdout.splitlines())}
    assert set(reports) == set(SHOWN)
    for name, report in reports.items():
        assert report["errors"] == [], f"{name}: {report['errors']}"
        probe = report["probe"]
        assert Path(probe["python"]).parent.parent == env_dir, probe
        assert Path(probe["metricwidgets"]).is_relative_to(env_dir), probe
        assert set(probe["open"]) == SHOWN[name] and probe["closed"] == [], (name, probe)
