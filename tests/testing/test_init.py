"""metricwidgets.testing without the demo extra: one line that says what to install."""

from __future__ import annotations

import sys

import pytest

from metricwidgets.errors import UserFacingError


@pytest.fixture
def without(monkeypatch):
    """Make ``modules`` unimportable (as on a plain install) and metricwidgets.testing fresh."""
    def hide(*modules):
        for name in modules:
            monkeypatch.setitem(sys.modules, name, None)  # find_spec then answers None
        for name in [n for n in sys.modules if n.startswith("metricwidgets.testing")]:
            monkeypatch.delitem(sys.modules, name)
    return hide


def test_importing_without_moto_names_the_extra_to_install(without):
    without("moto")
    with pytest.raises(ImportError) as caught:
        import metricwidgets.testing  # noqa: F401
    assert isinstance(caught.value, UserFacingError)
    message = str(caught.value)
    assert 'pip install "metricwidgets[demo]"' in message
    assert "moto" in message and "\n" not in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_a_submodule_import_gives_the_same_line(without):
    without("flask")
    with pytest.raises(ImportError, match=r'needs flask: pip install "metricwidgets\[demo\]"'):
        from metricwidgets.testing.standin import StandIn  # noqa: F401


def test_ipython_renders_it_as_its_one_line(without):
    without("moto")
    with pytest.raises(ImportError) as caught:
        import metricwidgets.testing  # noqa: F401
    assert caught.value._render_traceback_() == [f"MissingDemoExtra: {caught.value}"]


def test_with_the_extra_the_helpers_are_there():
    from metricwidgets.testing import ReferenceParser, StandIn, training_lines

    assert StandIn.__module__ == "metricwidgets.testing.standin"
    assert ReferenceParser.__module__ == "metricwidgets.testing.reference"
    assert next(training_lines("simple", 1))[1]
