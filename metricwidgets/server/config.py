"""The server extension's settings, configurable like the rest of Jupyter.

Set them in ``jupyter_server_config.py`` (``c.MetricWidgets.region = "eu-west-1"``), on the
command line (``--MetricWidgets.profile=dev``) or through the environment variables every
metricwidgets door reads (``METRICWIDGETS_REGION``, ``METRICWIDGETS_PROFILE``,
``METRICWIDGETS_ENDPOINT_URL``).
"""

from __future__ import annotations

from traitlets import Float, Int, Unicode
from traitlets.config import Configurable

from metricwidgets.options import MetricOptions
from metricwidgets.errors import UserFacingError
from metricwidgets.sources.aws import AWSOptions, make_session

__all__ = ["MetricWidgets"]


class MetricWidgets(Configurable):
    """Where the "Training jobs" sidebar looks for jobs, and how often it may ask AWS."""

    region = Unicode(None, allow_none=True, help="""AWS region whose jobs are listed
        (default: $METRICWIDGETS_REGION, then boto3's own chain, then us-east-1).""").tag(
        config=True)
    profile = Unicode(None, allow_none=True, help="""Profile of ~/.aws/config to call AWS as
        (default: $METRICWIDGETS_PROFILE, then boto3's own chain).""").tag(config=True)
    endpoint_url = Unicode(None, allow_none=True, help="""Another SageMaker endpoint, such as
        a moto server (default: $METRICWIDGETS_ENDPOINT_URL).""").tag(config=True)
    cache_seconds = Float(5.0, min=0.0, help="""Seconds an answer from AWS is reused for
        identical requests, so that many open tabs stay within ListTrainingJobs' quota of
        about 2 calls a second.""").tag(config=True)
    page_size = Int(50, min=1, max=100, help="""Jobs per page when a request names no
        page size (SageMaker allows at most 100).""").tag(config=True)
    retries = Int(1, min=0, help="""botocore retries of a failed AWS call (throttling,
        5xx, connection errors), with backoff; a browsing user prefers a quick error to a long
        wait, and the sidebar asks again on its next refresh.""").tag(config=True)

    request_timeout = Float(15.0, min=0.5, help="""Seconds a sidebar request may take in
        all, waiting for a worker included; then it answers 504. botocore's connect and read
        timeouts are derived from it (see client_timeouts), so a black-holed endpoint frees
        its worker thread about as soon.""").tag(config=True)

    def client_timeouts(self) -> dict:
        """botocore ``connect_timeout``/``read_timeout`` such that every attempt of one call
        (1 + ``retries``) fits within ``request_timeout``."""
        per_attempt = self.request_timeout / (1 + self.retries)
        return {"connect_timeout": min(5.0, per_attempt), "read_timeout": per_attempt}

    def options(self) -> MetricOptions:
        """These settings as the :class:`~metricwidgets.options.MetricOptions` every door
        builds (unset ones from ``$METRICWIDGETS_*`` there, as for every other door)."""
        return MetricOptions.from_server_config(self)

    def aws_options(self) -> AWSOptions:
        """These settings as :class:`~metricwidgets.sources.aws.AWSOptions`."""
        return self.options().aws

    def kernel_settings(self) -> dict:
        """Where the listed jobs live, for the cells the sidebar writes: ``region`` (the
        configured one, else the one boto3 resolves for the server), ``profile`` (when one
        is configured or named by ``$AWS_PROFILE``) and ``endpoint_url``; each None when
        unset. A kernel need not share the server's environment: a cell without these
        would look for a job of the same name in the kernel's own default region."""
        options = self.aws_options()
        region, profile = options.region, options.profile
        if region is None or profile is None:
            try:
                session = make_session(options)
            except UserFacingError:
                session = None  # a missing profile: the list says so; pass what is known
            if session is not None:
                region = region or session.region_name
                named = session.profile_name
                profile = profile or (named if named and named != "default" else None)
        return {"region": region, "profile": profile, "endpoint_url": options.endpoint_url}

