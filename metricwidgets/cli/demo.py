"""``metricwidgets demo``: JupyterLab on the quick-start notebook, with no AWS account.

Installs nothing. Copies the example notebooks into a working folder (never overwriting a
notebook already there), then replaces this process with ``jupyter lab`` serving that folder
on 127.0.0.1 and opening the quick-start. The URL (with its login token) is printed first, so
``--no-browser`` works on a headless machine.
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

from metricwidgets.errors import InputError

DEFAULT_DIR = "metricwidgets-demo"
DEFAULT_PORT = 8888


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "demo", help="open JupyterLab on the quick-start notebook (no AWS account needed)",
        description=__doc__.split("\n\n")[1])
    parser.add_argument("--dir", default=DEFAULT_DIR, type=Path,
                        help=f"working folder for the notebooks (default ./{DEFAULT_DIR})")
    parser.add_argument("--port", type=int, default=None,
                        help=f"port to serve on (default: the first free one from {DEFAULT_PORT})")
    parser.add_argument("--no-browser", action="store_true",
                        help="do not open a web browser (headless machines)")
    parser.set_defaults(func=run)


def _port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _choose_port(requested: int | None) -> int:
    if requested is not None:
        if not 0 < requested < 65536:
            raise InputError(f"--port must be between 1 and 65535, not {requested}")
        if not _port_is_free(requested):
            raise InputError(f"port {requested} on 127.0.0.1 is already in use")
        return requested
    for port in range(DEFAULT_PORT, DEFAULT_PORT + 50):
        if _port_is_free(port):
            return port
    raise InputError(f"no free port between {DEFAULT_PORT} and {DEFAULT_PORT + 49}; pass --port")


def lab_command(root: Path, port: int, token: str, open_browser: bool) -> list[str]:
    """Return the ``jupyter lab`` command line the demo runs."""
    from metricwidgets.examples.workspace import QUICKSTART

    command = [sys.executable, "-m", "jupyterlab", "--ip=127.0.0.1", f"--port={port}",
               "--ServerApp.port_retries=0", f"--ServerApp.root_dir={root}",
               f"--IdentityProvider.token={token}",
               f"--LabApp.default_url=/lab/tree/{QUICKSTART}",
               # A local demo asks the internet nothing (no news, no update check).
               "--LabApp.news_url=None",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if not open_browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers often run as root
        command.append("--allow-root")
    return command


def run(args: argparse.Namespace) -> int:
    from metricwidgets.examples.workspace import QUICKSTART, copy_examples

    root = args.dir.expanduser().resolve()
    port = _choose_port(args.port)  # a bad port fails before anything is written
    try:
        report = copy_examples(root)
    except FileNotFoundError as exc:
        raise InputError(str(exc)) from None
    except OSError as exc:
        raise InputError(f"cannot write the notebooks to {root}: {exc.strerror or exc}") from None
    token = secrets.token_hex(16)
    if report.copied:
        plural = "s" if len(report.copied) != 1 else ""
        print(f"Copied {len(report.copied)} example notebook{plural} to {root}")
    if report.kept:
        print(f"Kept your copies of {', '.join(report.kept)} in {root}")
    print(f"JupyterLab is starting on the quick-start notebook:\n"
          f"    http://127.0.0.1:{port}/lab/tree/{QUICKSTART}?token={token}\n"
          f"Stop it with Ctrl+C.", flush=True)
    command = lab_command(root, port, token, open_browser=not args.no_browser)
    if os.name == "posix":
        # Become Jupyter: its Ctrl+C handling and PID are the user's, no orphan left behind.
        os.execv(command[0], command)
    return subprocess.call(command)
