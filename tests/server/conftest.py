"""pytest-jupyter's server fixtures (``jp_fetch``, ``jp_serverapp``, ...) for these tests only.

Imported here rather than registered with ``pytest_plugins``: a plugin would apply its
autouse fixtures (an event loop and a ``ServerApp`` clean-up around every test) and its
collection hook to every test of the session.
"""

from pytest_jupyter.jupyter_server import *  # noqa: F401,F403
