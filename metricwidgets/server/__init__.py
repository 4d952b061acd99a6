"""The Jupyter server extension: REST endpoints the "Training jobs" sidebar reads.

Enabled by the installed package (``etc/jupyter/jupyter_server_config.d/metricwidgets.json``);
configured through :class:`~metricwidgets.server.config.MetricWidgets`.
"""

from __future__ import annotations

from metricwidgets.server.config import MetricWidgets

__all__ = ["MetricWidgets"]


def _load_jupyter_server_extension(server_app) -> None:
    """Register the ``metricwidgets/`` endpoints on ``server_app``."""
    from metricwidgets.server.limits import raise_header_limit
    from metricwidgets.server.routes import setup_routes

    config = MetricWidgets(parent=server_app)
    setup_routes(server_app.web_app, config)
    options = config.options()
    where = options.endpoint_url or options.region or "boto3's default region"
    server_app.log.info("metricwidgets: training-job endpoints registered (AWS: %s)", where)
    # The HTTP server is made after the extensions load; the loop's first callbacks run
    # before it takes a connection.
    server_app.io_loop.add_callback(raise_header_limit, server_app)
