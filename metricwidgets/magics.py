"""IPython magics: ``%load_ext metricwidgets`` then ``%metrics``, ``%metrics_run``,
``%%metric_regex``.

A thin door onto :class:`~metricwidgets.widgets.liveplot.LivePlot` and the regex playground:
parse the arguments, build the widget, show one line (never a traceback) when the user's
input, the job or the credentials are wrong.

Lifecycle: the plot a cell made is remembered by the cell (JupyterLab's cell id, else the
watched target); re-running the cell closes the previous plot's watch first. Interrupting an
idle kernel (SIGINT) stops every open plot and whatever it started, and keeps its widgets: the
chart stays as drawn and answers its controls.
"""

from __future__ import annotations

import argparse
import shlex
import sys

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments

from metricwidgets.errors import UserFacingError
from metricwidgets.options import option_arguments

__all__ = ["MetricMagics", "load_ipython_extension", "open_plots"]

#: Cell id (or target) -> the plot it shows.
_PLOTS: dict = {}


def open_plots() -> dict:
    """The plots made by the magics and still open, by cell id or target."""
    for key in [k for k, plot in _PLOTS.items() if plot.closed]:
        _PLOTS.pop(key, None)
    return dict(_PLOTS)


def _say(message) -> None:
    """One line on stderr: what went wrong, for the user to act on."""
    text = " ".join(str(message).split("\n")[0:1]) or type(message).__name__
    print(f"metricwidgets: {text}", file=sys.stderr)


def _parse(magic, line: str):
    """Split ``line`` the way a shell does (quotes removed: ``--regex "a=b c"``) and parse it
    with the magic's parser (which raises UsageError on bad arguments)."""
    try:
        argv = shlex.split(line)
    except ValueError as exc:
        raise UsageError(f"cannot split the arguments: {exc}") from None
    return magic.parser.parse_args(argv)


def _options(args):
    """The magic's flags as :class:`~metricwidgets.options.MetricOptions`, the definitions
    validated (the first problem is the user's to fix now)."""
    from metricwidgets.core.parsing import validate_definitions
    from metricwidgets.options import MetricOptions

    options = MetricOptions.from_arguments(args)
    errors = validate_definitions(options.definitions) if options.definitions else []
    if errors:
        raise errors[0]
    return options


def _check_target(args) -> None:
    """Exactly one thing to watch, and ``--compare``'s names SageMaker's own.

    Raises
    ------
    UsageError
        One line naming what was given together, or the first name that cannot be a job's.
    """
    from metricwidgets.sources.names import invalid_name_reason

    given = [what for what, value in (("a job name", args.job),
                                      ("--tuning-job", args.tuning_job),
                                      ("--compare", args.compare),
                                      ("--jobs", args.jobs is not None)) if value]
    if len(given) != 1:
        together = f" ({' and '.join(given)} were given together)" if given else ""
        raise UsageError("give one of: a training job name, --tuning-job NAME, --compare "
                         f"JOB [JOB ...] or --jobs NAME_CONTAINS{together}")
    for name in args.compare or []:
        reason = invalid_name_reason(name)
        if reason:
            raise UsageError(f"--compare: {name!r} is not a training job's name: {reason}")


def _runs_table(name_contains: str, options):
    """A :class:`~metricwidgets.widgets.runs_table.RunsTable` of the training jobs whose name
    contains ``name_contains`` (all of them for ""), listed with ``options``; ticked rows
    are overlaid with the same options.

    Raises
    ------
    UserFacingError
        When the jobs cannot be listed (credentials, permission, AWS unreachable).
    """
    from metricwidgets.api import list_jobs
    from metricwidgets.widgets.runs_table import RunsTable

    return RunsTable(lambda: list_jobs(name_contains or None, options=options),
                     options=options)


@magics_class
class MetricMagics(Magics):
    """The metricwidgets magics (see each one's ``?`` help)."""

    def _cell_key(self, target: str):
        kernel = getattr(self.shell, "kernel", None)
        try:
            parent = kernel.get_parent("shell") if kernel is not None else None
        except TypeError:  # older ipykernel: get_parent() takes no channel
            parent = kernel.get_parent()
        except Exception:
            parent = None
        cell = ((parent or {}).get("metadata") or {}).get("cellId")
        return ("cell", cell) if cell else ("target", target)

    def _show(self, key, make):
        """Close the plot this cell showed before, build the new one, remember it."""
        from metricwidgets.widgets.liveplot import LivePlot

        install_interrupt_handler(self.shell)
        previous = _PLOTS.pop(key, None)
        if previous is not None:
            previous.close()
        try:
            plot = make(LivePlot)
        except UserFacingError as exc:
            _say(exc)
            return None
        except Exception as exc:  # a door shows one line, never a traceback
            _say(f"{type(exc).__name__}: {exc}")
            return None
        _PLOTS[key] = plot
        return plot

    @magic_arguments()
    @argument("job", nargs="?", help="the SageMaker training job to watch")
    @argument("--tuning-job", metavar="NAME", help="watch a hyperparameter tuning job instead")
    @argument("--compare", nargs="+", metavar="JOB",
              help="overlay these training jobs in one chart instead (one colour each)")
    @argument("--jobs", metavar="NAME_CONTAINS",
              help="a runs table of the training jobs whose name contains this instead; the "
                   "rows ticked are overlaid in one chart")
    @option_arguments("definitions", "definition", "step", "source", "region", "profile",
                      "endpoint_url", overrides={"definitions": {
                          "help": "metric definitions (SageMaker's JSON) added to the job's "
                                  "own"}})
    @line_magic
    def metrics(self, line: str = ""):
        """Live charts of a SageMaker training job (or tuning job, or several jobs) from its
        logs.

        Give exactly one of: a training job's name, ``--tuning-job NAME``, ``--compare JOB
        [JOB ...]`` (those jobs overlaid in one chart, one colour and legend entry each) or
        ``--jobs NAME_CONTAINS`` (a table of the training jobs whose name contains the text,
        newest first, with their hyperparameters and final metrics; tick rows to overlay
        them below). The other flags apply to every job watched. Re-running the cell
        replaces what it showed.

        Examples::

            %metrics my-training-job
            %metrics my-job --definition "train:loss=loss: ([0-9.]+)"
            %metrics --tuning-job my-tuning-job
            %metrics --compare baseline-job variant-1 variant-2 --source metrics
            %metrics --jobs resnet --region eu-west-1
        """
        try:
            args = _parse(self.metrics, line)
            _check_target(args)
            options = _options(args)
        except (UsageError, UserFacingError) as exc:
            _say(exc)
            return None
        if args.compare:
            return self._show(self._cell_key("compare:" + " ".join(args.compare)
                                             + f" source:{options.source}"),
                              lambda cls: cls.for_jobs(args.compare, options=options))
        if args.jobs is not None:
            return self._show(self._cell_key(f"jobs:{args.jobs}"),
                              lambda cls: _runs_table(args.jobs, options))
        if args.tuning_job:
            return self._show(self._cell_key(f"tuning:{args.tuning_job}"),
                              lambda cls: cls.for_tuning_job(args.tuning_job, options=options))
        # Outside a cell id (nbclient, a terminal) the target is the key: the logs and the
        # metrics of one job are two plots, neither closes the other (notebook 03 shows both).
        return self._show(self._cell_key(f"job:{args.job} source:{options.source}"),
                          lambda cls: cls.for_job(args.job, options=options))

    @magic_arguments()
    @option_arguments("definitions", "definition", "step")
    @argument("command", nargs=argparse.REMAINDER,
              help="the training command, after --")
    @line_magic
    def metrics_run(self, line: str = ""):
        """Run a training command and chart its metrics live (no AWS needed).

        Without definitions, the metrics are suggested from what the command prints.

        Example::

            %metrics_run -- python train.py --epochs 30
            %metrics_run --definition "loss=loss: ([0-9.]+)" -- python train.py
        """
        try:
            args = _parse(self.metrics_run, line)
            command = list(args.command)
            if command and command[0] == "--":
                command = command[1:]
            if not command:
                raise UsageError("give the command to run after --, e.g. "
                                 "%metrics_run -- python train.py")
            options = _options(args)
        except (UsageError, UserFacingError) as exc:
            _say(exc)
            return None
        return self._show(self._cell_key("run:" + " ".join(command)),
                          lambda cls: cls.for_command(command, options=options))

    @magic_arguments()
    @option_arguments("definitions", "definition", overrides={
        "definitions": {"help": "metric definitions to start from"},
        "definition": {"help": "a metric definition to start from (repeatable; --regex is an "
                               "alias)"}})
    @cell_magic
    def metric_regex(self, line: str = "", cell: str = ""):
        """A regex playground on the cell's text (a sample of your training log).

        Example::

            %%metric_regex --definition "train:error=Train_error=(.*?);"
            Train_error=0.25;  Valid_error=0.31;
        """
        try:
            args = _parse(self.metric_regex, line)
            definitions = _options(args).definitions
            from metricwidgets.widgets.playground import RegexPlayground
        except ImportError:
            _say("the regex playground is not available in this installation")
            return None
        except (UsageError, UserFacingError) as exc:
            _say(exc)
            return None
        try:
            return RegexPlayground(sample_text=cell or "", metric_definitions=definitions)
        except UserFacingError as exc:
            _say(exc)
        except Exception as exc:
            _say(f"{type(exc).__name__}: {exc}")
        return None


def _stop_all_on_interrupt(previous):
    def handler(signum, frame):
        from metricwidgets.widgets.liveplot import LivePlot

        # Stopped, not closed: Jupyter interrupts the kernel before every restart, and
        # closing the widgets then only sends the page closes for comms it has dropped
        # (one "Comm not found" console error each). A re-run cell still closes its plot.
        LivePlot.stop_all()
        if callable(previous):  # signal.default_int_handler included: it raises the interrupt
            previous(signum, frame)

    handler.metricwidgets = True
    return handler


def install_interrupt_handler(shell) -> bool:
    """Make an interrupt of the idle kernel stop every plot (the charts stay).

    ipykernel sets its own SIGINT handler while a cell runs and restores the saved one
    (``kernel.saved_sigint_handler``) afterwards; the saved one is wrapped here, so it is
    in force whenever the kernel is idle, and it still calls what it wraps. Returns True when
    installed (False outside ipykernel).
    """
    kernel = getattr(shell, "kernel", None)
    if kernel is None or not hasattr(kernel, "saved_sigint_handler"):
        return False
    current = kernel.saved_sigint_handler
    if getattr(current, "metricwidgets", False):
        return True
    kernel.saved_sigint_handler = _stop_all_on_interrupt(current)
    return True


def load_ipython_extension(ipython) -> None:
    """``%load_ext metricwidgets``: register the magics (and nothing else)."""
    ipython.register_magics(MetricMagics)
