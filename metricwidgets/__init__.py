"""metricwidgets: watch and analyse training jobs through their metrics, live in Jupyter.

The public API is what this module exports. Widgets (which need ipywidgets and bqplot) and
AWS helpers (boto3) are imported on first use, so the CLI and the core stay light.
"""

from __future__ import annotations

import importlib

# name -> module that defines it; resolved lazily by __getattr__ below.
_EXPORTS = {
    "MetricDefinition": "metricwidgets.core.parsing",
    "DefinitionError": "metricwidgets.core.parsing",
    "load_definitions": "metricwidgets.core.parsing",
    "MetricStore": "metricwidgets.core.store",
    "LogParser": "metricwidgets.core.parsing",
    "parse_log": "metricwidgets.core.parsing",
    "lint_definitions": "metricwidgets.core.authoring",
    "suggest_definitions": "metricwidgets.core.authoring",
    "fetch_job_metrics": "metricwidgets.api",
    "fetch_job_findings": "metricwidgets.api",
    "fetch_jobs_metrics": "metricwidgets.api",
    "diagnose": "metricwidgets.core.diagnosis",
    "Finding": "metricwidgets.core.diagnosis",
    "list_jobs": "metricwidgets.api",
    "LivePlot": "metricwidgets.widgets.liveplot",
    "RegexPlayground": "metricwidgets.widgets.playground",
    "RunsTable": "metricwidgets.widgets.runs_table",
    "UserFacingError": "metricwidgets.errors",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def _version() -> str:
    """The installed distribution's version: labextension/package.json's, copied into the
    metadata at build time (hatch-nodejs-version), so both halves have one version."""
    from importlib import metadata

    try:
        return metadata.version("metricwidgets")
    except metadata.PackageNotFoundError:  # a source tree on sys.path, never installed
        return "0+unknown"


def __getattr__(name: str):
    if name == "__version__":  # read on first use: importlib.metadata is slow to import
        globals()["__version__"] = value = _version()
        return value
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'metricwidgets' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__


def load_ipython_extension(ipython):
    """``%load_ext metricwidgets``: register the magics."""
    from metricwidgets.magics import load_ipython_extension as _load

    _load(ipython)


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "metricwidgets"}]


def _jupyter_server_extension_points():
    return [{"module": "metricwidgets.server"}]
