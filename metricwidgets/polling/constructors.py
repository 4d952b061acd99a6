"""The ways to make a :class:`~metricwidgets.polling.watch.Watch`: a training job, a tuning
job, a list of training jobs, a local command, a log file.

Each takes the door's :class:`~metricwidgets.options.MetricOptions` whole (None: the
defaults); loose keywords (``region=``, ``metric_definitions=``...) are for the public
functions and widgets, which resolve them into options once
(:func:`~metricwidgets.options.resolve_options`). The remaining keywords tune the polling:
``min_interval``, ``max_interval``, ``max_backoff``, ``poller``, ``start``, ``clock``,
``hold_limit`` (see :class:`~metricwidgets.polling.watch.Watch`). ``Watch.for_*`` are thin
class methods over these functions.
"""

from __future__ import annotations

from metricwidgets.options import MetricOptions
from metricwidgets.polling.job_list import JobList
from metricwidgets.polling.tuning import TuningJobExpansion
from metricwidgets.polling.watch import Watch
from metricwidgets.polling.watched_job import WatchedJob

__all__ = ["watch_command", "watch_file", "watch_job", "watch_jobs", "watch_tuning_job"]


def _checked(options) -> MetricOptions:
    if options is None:
        return MetricOptions.build()
    if not isinstance(options, MetricOptions):
        raise TypeError("options must be a MetricOptions (MetricOptions.from_keywords(...) "
                        f"makes one from definitions and AWS keywords), not "
                        f"{type(options).__name__}")
    return options


def watch_job(name: str, options: MetricOptions | None = None, *,
              describe_interval: float = 10.0, cursor=None, **polling) -> Watch:
    """Watch a SageMaker training job through its logs (source ``logs``, parsed here with
    the job's definitions plus the options') or through the metrics SageMaker published to
    CloudWatch (``metrics``; or any kind registered in :mod:`metricwidgets.sources.factory`).

    Raises
    ------
    InputError
        For an unknown kind of source.
    AWSError
        When no client can be made (a missing profile, no region).
    """
    from metricwidgets.sources.factory import job_sources

    options = _checked(options)
    status, data = job_sources(name, options.aws, options.source, describe_interval,
                               cursor=cursor)
    return Watch([WatchedJob(name, data, status)], options.definitions,
                 step_definition=options.step_definition, **polling)


def watch_tuning_job(name: str, options: MetricOptions | None = None, *,
                     describe_interval: float = 10.0, **polling) -> Watch:
    """Watch a hyperparameter tuning job: every child training job as the tuner launches
    it, each through the options' source and with their step and definitions. The tuning
    objective and the best job are in ``statuses[name].extra``."""
    from metricwidgets.sources.tuning_job import TuningJobSource

    options = _checked(options)
    tuning = TuningJobExpansion(TuningJobSource(name, options.aws, interval=describe_interval),
                                child_source=options.source)
    return Watch([], options.definitions, tuning=tuning,
                 step_definition=options.step_definition, name=name, **polling)


def watch_jobs(names, options: MetricOptions | None = None, *,
               describe_interval: float = 10.0, start: bool = True, **polling) -> Watch:
    """Watch the training jobs ``names`` (a list, possibly empty) in one store, each through
    the options' source, step and definitions, with clients shared by every job; more join
    with ``add_job`` and leave with ``remove_job``
    (:class:`~metricwidgets.polling.job_list.JobRoster`)."""
    options = _checked(options)
    job_list = JobList(options, describe_interval)
    names = list(dict.fromkeys(names))
    jobs = [job_list.watched(name) for name in names]
    watch = Watch(jobs, options.definitions, start=False, job_list=job_list,
                  step_definition=options.step_definition,
                  name=", ".join(names) or "jobs", **polling)
    if start:
        watch.resume()
    return watch


def watch_command(argv, options: MetricOptions | None = None, *, cwd=None, env=None,
                  name=None, **polling) -> Watch:
    """Run ``argv`` and watch its output. Without definitions they are suggested from the
    output seen so far (:func:`metricwidgets.core.authoring.suggest_definitions`), and held
    text is parsed again when new suggestions appear. Closing the watch kills the process
    group."""
    from metricwidgets.sources.local_process import LocalProcessSource

    options = _checked(options)
    polling.setdefault("min_interval", 0.2)
    polling.setdefault("max_interval", 1.0)
    process = LocalProcessSource(argv, cwd=cwd, env=env, name=name)
    try:
        return Watch([WatchedJob(process.name, process)], options.definitions,
                     suggest=options.definitions is None,
                     step_definition=options.step_definition, **polling)
    except BaseException:
        process.close()
        raise


def watch_file(path, options: MetricOptions | None = None, **polling) -> Watch:
    """Follow a log file (``tail -F``: truncation and rotation included). A file watch never
    finishes by itself; close it."""
    from metricwidgets.sources.local_file import LocalFileSource

    options = _checked(options)
    polling.setdefault("min_interval", 0.5)
    polling.setdefault("max_interval", 2.0)
    source = LocalFileSource(path)
    return Watch([WatchedJob(source.name, source)], options.definitions,
                 suggest=options.definitions is None,
                 step_definition=options.step_definition, **polling)
