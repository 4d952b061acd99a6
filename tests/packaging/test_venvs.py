"""make_venv from inside a virtual environment sees that environment's packages.

The case ``make test`` hit inside a venv: ``--system-site-packages`` alone gives the base
interpreter's packages, not the running environment's.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.packaging.venvs import clean_env, venv_python

REPO = Path(__file__).resolve().parents[2]


def _imports(python: Path, module: str) -> bool:
    return subprocess.run([str(python), "-c", f"import {module}"], env=clean_env(),
                          capture_output=True, timeout=60).returncode == 0


def test_a_venv_made_from_a_venv_sees_the_running_environments_packages(tmp_path):
    outer = tmp_path / "outer"  # the environment the tests would run in
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(outer)],
                   check=True, timeout=120)
    outer_python = venv_python(outer)
    purelib = subprocess.run(
        [str(outer_python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True, timeout=60).stdout.strip()
    (Path(purelib) / "only_in_the_outer_env.py").write_text("VALUE = 1\n")

    def make(kind: str) -> Path:
        code = ("import sys; from pathlib import Path; from tests.packaging.venvs import make_venv; "
                "print(make_venv(Path(sys.argv[1])))" if kind == "make_venv" else
                "import subprocess, sys; subprocess.run([sys.executable, '-m', 'venv', "
                "'--system-site-packages', '--without-pip', sys.argv[1]], check=True); "
                "print(sys.argv[1] + '/bin/python')")
        done = subprocess.run([str(outer_python), "-c", code, str(tmp_path / kind)],
                              env=clean_env(PYTHONPATH=str(REPO)), capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return Path(done.stdout.strip())

    # The old way: the inner venv is built on the base interpreter and misses the package.
    assert not _imports(make("plain"), "only_in_the_outer_env")
    assert _imports(make("make_venv"), "only_in_the_outer_env")
