"""Packaging fixtures: one wheel built from this checkout per test session."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def built_wheel(tmp_path_factory) -> Path:
    """``pip wheel .`` of this checkout (it runs the labextension build), built once."""
    wheels = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps",
                    "--no-cache-dir", "-q", "-w", str(wheels)],
                   check=True, timeout=600, capture_output=True)
    (wheel,) = wheels.glob("metricwidgets-*.whl")
    return wheel
