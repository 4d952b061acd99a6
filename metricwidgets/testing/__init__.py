"""Test and demo helpers, kept out of the runtime package: they need the ``demo`` extra.

- :class:`~metricwidgets.testing.standin.StandIn`: a SageMaker stand-in on moto (a real HTTP
  endpoint on 127.0.0.1 with jobs that live and write), used by the tests, the example
  notebooks 03-05 and ``python -m metricwidgets.testing --demo-jobs``.
- :class:`~metricwidgets.testing.reference.ReferenceParser`: SageMaker's parsing rules written
  the slow, obvious way, the oracle the fast parser is tested against.

Without moto (a plain ``pip install metricwidgets``), importing this package raises
:class:`MissingDemoExtra`, whose message is the one line that says what to install; a
notebook cell shows that line and no traceback.
"""

from __future__ import annotations

import importlib
import importlib.util

from metricwidgets.errors import UserFacingError

__all__ = ["JobPlayer", "MissingDemoExtra", "ReferenceParser", "StandIn", "training_lines"]

#: What ``pip install "metricwidgets[demo]"`` adds that the stand-in imports (moto's server
#: mode runs on flask).
DEMO_MODULES = ("moto", "flask", "flask_cors")

INSTALL_HINT = 'pip install "metricwidgets[demo]"'


class MissingDemoExtra(UserFacingError, ImportError):
    """The ``demo`` extra is not installed; the message says how to install it."""

    def _render_traceback_(self) -> list[str]:
        # IPython shows what this returns instead of a traceback: the one line that helps.
        return [f"{type(self).__name__}: {self}"]


def _missing() -> list[str]:
    return [name for name in DEMO_MODULES if importlib.util.find_spec(name) is None]


if _missing():
    raise MissingDemoExtra(
        f"metricwidgets.testing (the AWS stand-in) needs {', '.join(_missing())}: "
        f"{INSTALL_HINT}") from None

_EXPORTS = {
    "StandIn": "metricwidgets.testing.standin",
    "JobPlayer": "metricwidgets.testing.players",
    "ReferenceParser": "metricwidgets.testing.reference",
    "training_lines": "metricwidgets.testing.job_lines",
}


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'metricwidgets.testing' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
