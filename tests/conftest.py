"""Shared fixtures: the SageMaker stand-in (moto over HTTP on 127.0.0.1).

``standin`` is one server for the whole session (starting moto costs ~1 s); tests give their
jobs unique names (``job_name``) instead of resetting it, so they can share it safely.
"""

from __future__ import annotations

import itertools
import os

import pytest

_names = itertools.count(1)


@pytest.fixture(scope="session")
def standin():
    """A running :class:`metricwidgets.testing.standin.StandIn` (``.aws_kwargs`` for the APIs,
    ``.env`` for a subprocess, ``.client(service)`` for a plain boto3 client)."""
    from metricwidgets.testing.standin import StandIn

    # botocore looks for credentials even for the stand-in; never let it find real ones.
    for key, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing")):
        os.environ.setdefault(key, value)
    aws = StandIn()
    aws.start()
    yield aws
    aws.stop()


@pytest.fixture
def job_name(request):
    """A job name unique in the session, readable in moto's state (``test-foo-7``)."""
    base = request.node.name.replace("_", "-").replace("[", "-").replace("]", "")
    return f"{base[:40].strip('-')}-{next(_names)}"


@pytest.fixture
def poller(request):
    """A private :class:`metricwidgets.polling.scheduler.Scheduler`; its watches are closed and its thread
    must have ended within 10 s of the test (a leaked poller thread fails the test)."""
    from metricwidgets.polling.scheduler import Scheduler

    poller = Scheduler(name=f"test-poller-{request.node.name}")
    yield poller
    for watch in poller.watches:
        watch.close()
    assert poller.join(10)


@pytest.fixture(scope="module")
def shell():
    """IPython's shell with ``%load_ext metricwidgets`` done: the magics' door."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "metricwidgets")
    return shell
