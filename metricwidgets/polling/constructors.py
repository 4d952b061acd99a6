"""The ways to make a :class:`~metricwidgets.polling.watch.Watch`: a training job, a tuning
job, a list of training jobs, a local command, a log file.

Each takes the door's :class:`~metricwidgets.options.MetricOptions` (``options=``), or the
Python API's keywords (``metric_definitions``, ``source``, ``step_definition``, ``region``,
``profile``, ``endpoint_url``, ``session``), which are made into one the same way
(:meth:`MetricOptions.from_keywords`). The remaining keywords tune the polling:
``min_interval``, ``max_interval``, ``max_backoff``, ``poller``, ``start``, ``clock``,
``hold_limit`` (see :class:`~metricwidgets.polling.watch.Watch`).
"""

from __future__ import annotations

from metricwidgets.options import MetricOptions, resolve_options
from metricwidgets.polling.tuning import TuningJobExpansion
from metricwidgets.polling.watched_job import WatchedJob

__all__ = ["WatchConstructors"]


class WatchConstructors:
    """The ``for_*`` class methods of :class:`~metricwidgets.polling.watch.Watch`."""

    @classmethod
    def for_job(cls, name: str, metric_definitions=None, source: str | None = None, *,
                options: MetricOptions | None = None, describe_interval: float = 10.0,
                cursor=None, step_definition=None, region=None, profile=None,
                endpoint_url=None, session=None, **polling):
        """Watch a SageMaker training job through its logs (source ``logs``, parsed here
        with the job's definitions plus the user's) or through the metrics SageMaker
        published to CloudWatch (``metrics``; or any kind registered in
        :mod:`metricwidgets.sources.factory`).

        Raises
        ------
        DefinitionError
            For a definition whose regex does not compile.
        AWSError
            When no client can be made (a missing profile, no region).
        """
        from metricwidgets.sources.factory import job_sources

        options = resolve_options(options, metric_definitions, source, step_definition,
                                  **_given(region, profile, endpoint_url, session))
        status, data = job_sources(name, options.aws, options.source, describe_interval,
                                   cursor=cursor)
        return cls([WatchedJob(name, data, status)], options.definitions,
                   step_definition=options.step_definition, **polling)

    @classmethod
    def for_tuning_job(cls, name: str, metric_definitions=None, source: str | None = None, *,
                       options: MetricOptions | None = None, describe_interval: float = 10.0,
                       step_definition=None, region=None, profile=None, endpoint_url=None,
                       session=None, **polling):
        """Watch a hyperparameter tuning job: every child training job as the tuner launches
        it, each through the options' source and with their step and definitions. The tuning
        objective and the best job are in ``statuses[name].extra``."""
        from metricwidgets.sources.tuning_job import TuningJobSource

        options = resolve_options(options, metric_definitions, source, step_definition,
                                  **_given(region, profile, endpoint_url, session))
        tuning = TuningJobExpansion(
            TuningJobSource(name, options.aws, interval=describe_interval),
            child_source=options.source)
        return cls([], options.definitions, tuning=tuning,
                   step_definition=options.step_definition, name=name, **polling)

    @classmethod
    def for_jobs(cls, names, metric_definitions=None, source: str | None = None, *,
                 options: MetricOptions | None = None, describe_interval: float = 10.0,
                 step_definition=None, region=None, profile=None, endpoint_url=None,
                 session=None, **polling):
        """Watch the training jobs ``names`` (a list, possibly empty) in one store, each
        through the options' source, step and definitions, with clients shared by every
        job; more join with ``add_job`` and leave with ``remove_job``
        (:class:`~metricwidgets.polling.job_list.JobMembership`)."""
        from metricwidgets.polling.job_list import watch_jobs

        options = resolve_options(options, metric_definitions, source, step_definition,
                                  **_given(region, profile, endpoint_url, session))
        return watch_jobs(cls, names, options, describe_interval=describe_interval, **polling)

    @classmethod
    def for_command(cls, argv, metric_definitions=None, *, options: MetricOptions | None = None,
                    cwd=None, env=None, name=None, step_definition=None, **polling):
        """Run ``argv`` and watch its output. Without definitions they are suggested from
        the output seen so far (:func:`metricwidgets.core.authoring.suggest_definitions`), and
        held text is parsed again when new suggestions appear. Closing the watch kills the
        process group."""
        from metricwidgets.sources.local_process import LocalProcessSource

        options = resolve_options(options, metric_definitions, None, step_definition)
        polling.setdefault("min_interval", 0.2)
        polling.setdefault("max_interval", 1.0)
        process = LocalProcessSource(argv, cwd=cwd, env=env, name=name)
        try:
            return cls([WatchedJob(process.name, process)], options.definitions,
                       suggest=options.definitions is None,
                       step_definition=options.step_definition, **polling)
        except BaseException:
            process.close()
            raise

    @classmethod
    def for_file(cls, path, metric_definitions=None, *, options: MetricOptions | None = None,
                 step_definition=None, **polling):
        """Follow a log file (``tail -F``: truncation and rotation included). A file watch
        never finishes by itself; close it."""
        from metricwidgets.sources.local_file import LocalFileSource

        options = resolve_options(options, metric_definitions, None, step_definition)
        polling.setdefault("min_interval", 0.5)
        polling.setdefault("max_interval", 2.0)
        source = LocalFileSource(path)
        return cls([WatchedJob(source.name, source)], options.definitions,
                   suggest=options.definitions is None,
                   step_definition=options.step_definition, **polling)


def _given(region, profile, endpoint_url, session) -> dict:
    pairs = (("region", region), ("profile", profile), ("endpoint_url", endpoint_url),
             ("session", session))
    return {k: v for k, v in pairs if v is not None}
