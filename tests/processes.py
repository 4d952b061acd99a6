"""Child processes the tests start (a Jupyter server, Lab), and their orderly end."""

from __future__ import annotations

import subprocess

__all__ = ["stop"]


def stop(proc: subprocess.Popen, grace: float = 20) -> None:
    """Ask ``proc`` to end (SIGTERM), and kill it when it has not within ``grace`` seconds."""
    proc.terminate()
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
