"""Root pytest configuration: the notebooks' expected outputs come from tests/notebooks/."""

pytest_plugins = ["tests.notebook_outputs"]
