"""Start a real ``jupyter lab`` on 127.0.0.1 and drive it with Playwright + Debian's chromium.

Shared by every browser test. Nothing here sleeps for a fixed time: each wait polls a
condition until a deadline.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.processes import stop
from tests.waiting import wait_until  # noqa: F401  (re-exported for the browser tests)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
#: Evidence kept after the run, git-ignored: ``test-artifacts/`` at the repository's root.
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
#: Every screenshot a browser test takes (:func:`screenshot`), by the name the test gives it;
#: a failed test using the ``page`` fixture leaves ``<test name>_failed.png`` here too.
SCREENSHOTS = ARTIFACTS / "screenshots"
#: The screenshots saved by this process, in order (the session's summary names the folder).
TAKEN: list[Path] = []
#: Page widths every surface is measured at: JupyterLab's default page (1400 px, the file
#: browser open, as the ``page`` fixture opens it) and a narrow 800 px window.
WIDTHS = {"lab": 1400, "800px": 800}
#: The README's pictures, refreshed by the tests that take them (:func:`docs_screenshot`).
DOCS = Path(__file__).resolve().parents[2] / "docs"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_lab(root: Path, env: dict | None = None, args: list[str] = (),
                base_url: str = "/", settings: dict | None = None):
    """Run ``jupyter lab`` serving ``root``; yield its base URL (no token, 127.0.0.1 only).

    ``base_url``: the server's ``ServerApp.base_url`` (``/jupyterlab/default/`` as SageMaker
    Studio serves Lab); the URL yielded then ends with it (without its last ``/``).
    ``settings``: the user's Lab settings, by plugin (``"@jupyterlab/apputils-extension:
    kernels-settings"``) to the values set (``{"commsOverSubshells": "disabled"}``)."""
    port = free_port()
    args = list(args) + ([f"--ServerApp.base_url={base_url}"] if base_url != "/" else [])
    if not any(arg.startswith("--LabApp.workspaces_dir") for arg in args):
        # A workspace of its own: Lab would otherwise restore another test's open notebooks.
        # (Given twice on the command line, traitlets config breaks other LabApp options.)
        args.append(f"--LabApp.workspaces_dir={root / '.lab-workspaces'}")
    if not any(arg.startswith("--LabApp.user_settings_dir") for arg in args):
        # Settings of its own (no news toast).
        args.append(f"--LabApp.user_settings_dir={_user_settings(root, settings)}")
    with _serving([sys.executable, "-m", "jupyterlab", f"--port={port}",
                   "--LabApp.news_url=None", "--LabApp.expose_app_in_browser=True",
                   "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", *args],
                  root, env, f"http://127.0.0.1:{port}{base_url.rstrip('/')}",
                  root / "jupyter-lab.log") as url:
        yield url


@contextlib.contextmanager
def running_notebook7(root: Path, env: dict | None = None):
    """Run Jupyter Notebook 7 (the ``notebook`` package) serving ``root``; yield its URL.

    Its app is exposed as ``window.jupyterapp`` as Lab's is, so the helpers here that ask
    Lab's objects (:func:`wait_for_idle_kernel`, :func:`run_all_cells`) work on its pages."""
    port = free_port()
    with _serving([sys.executable, "-m", "notebook", f"--port={port}",
                   "--JupyterNotebookApp.expose_app_in_browser=True",
                   f"--JupyterNotebookApp.user_settings_dir={_user_settings(root)}",
                   f"--JupyterNotebookApp.workspaces_dir={root / '.nb-workspaces'}"],
                  root, env, f"http://127.0.0.1:{port}", root / "jupyter-notebook.log") as url:
        yield url


def _user_settings(root: Path, settings: dict | None = None) -> Path:
    """User settings of a server of its own (``root / ".lab-settings"``): ``settings`` (by
    plugin id, as :func:`running_lab` takes them), with the "get notified about Jupyter
    news?" toast turned off: it would cover the bottom right of every screenshot."""
    folder = root / ".lab-settings"
    chosen = {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false"},
              **(settings or {})}
    for plugin, values in chosen.items():
        package, name = plugin.split(":")
        (folder / package).mkdir(parents=True, exist_ok=True)
        (folder / package / f"{name}.jupyterlab-settings").write_text(json.dumps(values))
    return folder


@contextlib.contextmanager
def _serving(argv: list[str], root: Path, env: dict | None, url: str, log_path: Path):
    """Run a Jupyter server application ``argv`` as root on 127.0.0.1 with no token, serving
    ``root``, until it answers at ``url``; yield ``url``; stop it after."""
    log = open(log_path, "w")
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.Popen(
        [*argv, "--allow-root", "--no-browser", "--ip=127.0.0.1", "--IdentityProvider.token=",
         "--ServerApp.password=", f"--ServerApp.root_dir={root}"],
        stdout=log, stderr=subprocess.STDOUT, env=full_env, cwd=root)

    def ready():
        if proc.poll() is not None:
            raise RuntimeError(f"{argv[2]} exited: {log_path.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/api/status", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    try:
        wait_until(ready, 90, what=f"{argv[2]} to answer")
        yield url
    finally:
        stop(proc)
        log.close()


def write_notebook(path: Path, cells: list[str]) -> Path:
    """Write a notebook of code cells with a python3 kernelspec (no kernel dialog in Lab)."""
    nb = {
        "cells": [{"cell_type": "code", "execution_count": None, "metadata": {},
                   "outputs": [], "source": src} for src in cells],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                    "language": "python"},
                     "language_info": {"name": "python"}},
        "nbformat": 4, "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb))
    return path


def open_notebook(page, url: str, name: str, timeout: float = 60_000,
                  workspace: str | None = None):
    """Open ``name`` in Lab (in Lab's ``workspace`` if given: pages in different
    workspaces do not restore each other's documents) and wait until its kernel is idle."""
    prefix = f"{url}/lab/workspaces/{workspace}" if workspace else f"{url}/lab"
    page.goto(f"{prefix}/tree/{name}")
    page.wait_for_selector(".jp-NotebookPanel", timeout=timeout)
    wait_for_idle_kernel(page, timeout)


def wait_for_idle_kernel(page, timeout: float = 60_000):
    """Until the current notebook's kernel is connected and idle.

    Asked through Lab's own objects, not the toolbar's DOM: running cells before the kernel
    is there makes Lab open a "Select Kernel" dialog that blocks the test.
    """
    page.wait_for_function("""() => {
        const app = window.jupyterapp;  // assigned once Lab has started, maybe after the DOM
        const w = app && app.shell && app.shell.currentWidget;
        const kernel = w && w.sessionContext && w.sessionContext.session
            && w.sessionContext.session.kernel;
        return kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle';
    }""", timeout=timeout)


def run_all_cells(page):
    """Run every cell of the active notebook through Lab's own command."""
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")


def screenshot(page, name: str) -> Path:
    """Save what ``page`` shows (its viewport) as ``SCREENSHOTS / name``; return the path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=False)
    TAKEN.append(path)
    return path


def docs_screenshot(locator, name: str) -> Path:
    """Save one element as ``SCREENSHOTS / name``; with ``METRICWIDGETS_REFRESH_SCREENSHOT=1``
    also as the README's ``docs/<name>`` (never in CI: a test run leaves the tree clean)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    locator.screenshot(path=str(path))
    TAKEN.append(path)
    if os.environ.get("METRICWIDGETS_REFRESH_SCREENSHOT") == "1":
        shutil.copyfile(path, DOCS / name)
    return path
