"""Virtual environments for the packaging tests, inside a virtual environment or outside one.

``python -m venv --system-site-packages`` run from a virtual environment's interpreter makes
an environment on the *base* interpreter: it sees the base's packages, not those of the
environment the tests run in (where ``make test`` installed jupyterlab, moto, ...).
:func:`make_venv` adds the running environment's site-packages too, with a ``.pth`` file that
calls ``site.addsitedir`` (so that their own ``.pth`` files apply, as for system packages).
"""

from __future__ import annotations

import os
import site
import subprocess
import sys
from pathlib import Path

__all__ = ["make_venv", "venv_python", "clean_env", "in_a_venv"]


def in_a_venv() -> bool:
    return sys.prefix != sys.base_prefix


def venv_python(env_dir: Path) -> Path:
    return env_dir / ("Scripts" if os.name == "nt" else "bin") / (
        "python.exe" if os.name == "nt" else "python")


def make_venv(env_dir: Path, *, see_running_env: bool = True) -> Path:
    """Create a venv at ``env_dir``; return its python.

    ``see_running_env``: it also sees the packages of the interpreter running the tests (and,
    like ``--system-site-packages``, of the base interpreter). False: an isolated venv, as a
    new user makes one.
    """
    command = [sys.executable, "-m", "venv", str(env_dir)]
    if see_running_env:
        command.insert(3, "--system-site-packages")
    subprocess.run(command, check=True, timeout=180, capture_output=True)
    python = venv_python(env_dir)
    if see_running_env and in_a_venv():
        purelib = subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True, capture_output=True, text=True, timeout=60).stdout.strip()
        dirs = [d for d in site.getsitepackages() if Path(d).is_dir()]
        calls = "; ".join(f"site.addsitedir({d!r})" for d in dirs)
        (Path(purelib) / "_running_environment.pth").write_text(
            f"import site; {calls}\n", encoding="utf-8")
    return python


def clean_env(env_dir: Path | None = None, **extra: str) -> dict[str, str]:
    """The tests' environment without what would leak this checkout or another venv into a
    subprocess (PYTHONPATH, VIRTUAL_ENV, JUPYTER_*); ``env_dir``'s bin first on PATH."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME") and not k.startswith("JUPYTER_")}
    if env_dir is not None:
        env["VIRTUAL_ENV"] = str(env_dir)
        env["PATH"] = f"{venv_python(env_dir).parent}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env
