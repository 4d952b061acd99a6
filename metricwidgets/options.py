"""One typed options object for every door: where to reach AWS and how to read a job.

:class:`MetricOptions` is built in one place, :meth:`MetricOptions.build`, whichever door the
values came through:

- the magics (``%metrics``, ``%metrics_run``) and the CLI (``fetch``, ``parse``, ``check``)
  declare their flags with :data:`OPTION_FLAGS` (one spec, so a flag is spelled and
  explained alike in both) and hand the parsed arguments to :meth:`MetricOptions.from_arguments`;
- the public functions and widgets (``LivePlot.for_job(name, metric_definitions, source,
  region=...)``, ``fetch_job_metrics``, ``list_jobs``, ``RegexPlayground.from_job``) call
  :func:`resolve_options` (:meth:`MetricOptions.from_keywords`): loose keywords stop there;
- the server extension's traitlets settings (:mod:`metricwidgets.server.config`) call
  :meth:`MetricOptions.from_server_config`.

The object then travels down whole to ``Watch.for_*``, the source factory and the parsers;
:attr:`MetricOptions.aws` is the part the sources and AWS clients need (they take nothing
else). The ``METRICWIDGETS_*`` fallback is applied here only, in :meth:`MetricOptions.build`.

Flags (one spelling documented, the other an alias):

``--region R``, ``--profile P``, ``--endpoint-url URL``
    Where and as whom to call AWS (unset: ``$METRICWIDGETS_REGION``/``_PROFILE``/
    ``_ENDPOINT_URL``, then boto3's own chain).
``--source KIND``
    ``logs`` (parse the CloudWatch Logs here, the default), ``metrics`` (what SageMaker
    published), ``system`` (the instances' utilization), or any kind registered in
    :mod:`metricwidgets.sources.factory`.
``--step REGEX``
    A regex whose group 1 is each point's step.
``--definitions FILE``
    SageMaker's JSON list of definitions (a path, or the JSON itself).
``--definition NAME=REGEX`` (alias ``--regex``)
    One more definition; repeatable.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from metricwidgets.core.parsing import (
    MetricDefinition,
    load_definitions,
    parse_pair,
)

__all__ = [
    "OPTION_FLAGS",
    "MetricOptions",
    "add_option_arguments",
    "option_arguments",
    "read_definitions_argument",
    "resolve_options",
]


def _flag(*names, **kwargs) -> tuple[tuple[str, ...], dict]:
    return names, kwargs


#: The flags every door may take, by key: ``(option strings, argparse keywords)``.
OPTION_FLAGS: dict[str, tuple[tuple[str, ...], dict]] = {
    "region": _flag("--region", help="AWS region"),
    "profile": _flag("--profile", help="AWS profile (of ~/.aws/config)"),
    "endpoint_url": _flag("--endpoint-url", dest="endpoint_url",
                          help="another AWS endpoint (a stand-in)"),
    "source": _flag("--source", default="logs", metavar="KIND",
                    help="logs: parse the job's CloudWatch Logs here (default); metrics: what "
                         "SageMaker published to CloudWatch; system: the instances' "
                         "utilization (or any kind of metricwidgets.sources.factory)"),
    "step": _flag("--step", metavar="REGEX",
                  help="a regex whose group 1 is the step (e.g. 'epoch=(\\d+)'); default: each "
                       "point's index in its series"),
    "definitions": _flag("--definitions", metavar="FILE",
                         help='metric definitions, SageMaker\'s JSON: '
                              '[{"Name": "train:loss", "Regex": "loss=(\\\\S+)"}]'),
    "definition": _flag("--definition", "--regex", dest="definition", action="append",
                        metavar="NAME=REGEX",
                        help="one more metric definition (repeatable; --regex is an alias)"),
}


def _spec(key: str, overrides: dict | None) -> tuple[tuple[str, ...], dict]:
    names, kwargs = OPTION_FLAGS[key]
    if key == "source":
        from metricwidgets.sources.factory import data_source_kinds

        kwargs = dict(kwargs, choices=data_source_kinds())
    return names, dict(kwargs, **(overrides or {}).get(key, {}))


def add_option_arguments(parser, *keys: str, overrides: dict | None = None) -> None:
    """Add the flags ``keys`` (of :data:`OPTION_FLAGS`) to an argparse parser (or group)."""
    for key in keys:
        names, kwargs = _spec(key, overrides)
        parser.add_argument(*names, **kwargs)


def option_arguments(*keys: str, overrides: dict | None = None):
    """The same flags as a decorator for an IPython magic (``magic_arguments``)."""
    from IPython.core.magic_arguments import argument

    def decorate(func):
        for key in reversed(keys):  # decorators apply bottom-up: keep the order given
            names, kwargs = _spec(key, overrides)
            func = argument(*names, **kwargs)(func)
        return func

    return decorate


def read_definitions_argument(text: str | None) -> list[MetricDefinition]:
    """The definitions named by ``--definitions``: a file's path, or the JSON itself.

    Raises
    ------
    DefinitionError
        When no such file exists, or the file or the JSON is not SageMaker's shape (an
        :class:`~metricwidgets.errors.InputError`).
    """
    if not text:
        return []
    if text.strip().startswith(("[", "{")):
        return load_definitions(text)
    # A path, whatever it looks like: the shared loader words every failure of the file
    # ("<path>: no such definitions file", not valid JSON, ...).
    return load_definitions(Path(os.path.expanduser(text)))


@dataclass(frozen=True)
class MetricOptions:
    """Everything a door says about how to watch or read a job.

    Attributes
    ----------
    region, profile, endpoint_url : str or None
        Filled from ``$METRICWIDGETS_*`` when not given.
    session : boto3.Session or None
        A ready session (``region`` and ``profile`` are then ignored by boto3).
    source : str
        The kind of data source (``logs``, ``metrics``, ...).
    step_definition : str or None
        The step regex.
    metric_definitions : tuple of MetricDefinition, or None
        The user's definitions; None when none were given (a command or file then gets
        suggested ones).
    """

    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    session: Any = field(default=None, compare=False)
    source: str = "logs"
    step_definition: str | None = None
    metric_definitions: tuple[MetricDefinition, ...] | None = None

    @classmethod
    def build(cls, *, region=None, profile=None, endpoint_url=None, session=None,
              source: str | None = None, step_definition=None, metric_definitions=None,
              definitions_argument: str | None = None,
              definition_pairs=None) -> MetricOptions:
        """The one place options are made: every door ends here.

        ``metric_definitions`` is anything :func:`load_definitions` reads;
        ``definitions_argument`` and ``definition_pairs`` are ``--definitions`` and the
        ``--definition NAME=REGEX`` flags, added after it in that order.
        """
        definitions = None
        if metric_definitions is not None:
            definitions = list(load_definitions(metric_definitions))
        extra = read_definitions_argument(definitions_argument)
        extra += [parse_pair(pair) for pair in definition_pairs or []]
        if extra:
            definitions = (definitions or []) + extra
        if isinstance(step_definition, MetricDefinition):
            step_definition = step_definition.regex
        env = os.environ
        return cls(region=region or env.get("METRICWIDGETS_REGION") or None,
                   profile=profile or env.get("METRICWIDGETS_PROFILE") or None,
                   endpoint_url=endpoint_url or env.get("METRICWIDGETS_ENDPOINT_URL") or None,
                   session=session, source=source or "logs",
                   step_definition=step_definition or None,
                   metric_definitions=None if definitions is None else tuple(definitions))

    @classmethod
    def from_arguments(cls, args: argparse.Namespace) -> MetricOptions:
        """From the flags of :data:`OPTION_FLAGS` parsed by a magic or the CLI (absent flags
        count as unset)."""
        get = vars(args).get
        return cls.build(region=get("region"), profile=get("profile"),
                         endpoint_url=get("endpoint_url"), source=get("source"),
                         step_definition=get("step"),
                         definitions_argument=get("definitions"),
                         definition_pairs=get("definition"))

    @classmethod
    def from_keywords(cls, metric_definitions=None, source: str | None = None,
                      step_definition=None, *, region=None, profile=None, endpoint_url=None,
                      session=None, **unknown) -> MetricOptions:
        """From the Python API's arguments (``**aws``: ``region``, ``profile``,
        ``endpoint_url``, ``session``)."""
        if unknown:
            raise TypeError(f"unknown option(s): {', '.join(sorted(unknown))}; expected "
                            "region, profile, endpoint_url, session or step_definition")
        return cls.build(region=region, profile=profile, endpoint_url=endpoint_url,
                         session=session, source=source, step_definition=step_definition,
                         metric_definitions=metric_definitions)

    @classmethod
    def from_server_config(cls, config) -> MetricOptions:
        """From the server extension's settings (:class:`~metricwidgets.server.config.MetricWidgets`)."""
        return cls.build(region=config.region, profile=config.profile,
                         endpoint_url=config.endpoint_url)

    @property
    def aws(self):
        """The :class:`~metricwidgets.sources.aws.AWSOptions` part."""
        from metricwidgets.sources.aws import AWSOptions

        return AWSOptions(self.region, self.profile, self.endpoint_url, self.session)

    @property
    def definitions(self) -> list[MetricDefinition] | None:
        """:attr:`metric_definitions` as a list (None when none were given)."""
        return None if self.metric_definitions is None else list(self.metric_definitions)

    def replace(self, **changes) -> MetricOptions:
        """A copy with ``changes``."""
        return replace(self, **changes)


def resolve_options(options: MetricOptions | None, metric_definitions=None, source=None,
                    step_definition=None, **aws) -> MetricOptions:
    """``options`` when given (then no other option may be), else options made from the
    keywords."""
    if options is None:
        return MetricOptions.from_keywords(metric_definitions, source, step_definition, **aws)
    if metric_definitions is not None or source is not None or step_definition or aws:
        raise TypeError("give either options=MetricOptions(...) or the separate options, "
                        "not both")
    return options
