"""``metricwidgets watch``: follow a job to its end, tell each finding once, stop it if asked.

``metricwidgets watch JOB`` follows a SageMaker training job (its logs, or ``--source
metrics``; and its instances' utilization, for the idle GPU), ``--command CMD`` runs a local
training command and ``--file LOG`` follows a log file (until Ctrl-C: a file has no end).
Each finding is printed once, as it appears (text, or ``--format json``: one JSON object a
line, ``{"event": "finding", ...}``, ``{"event": "stop", ...}``, ``{"event": "end", ...}``).
``--stop-on divergence,nonfinite,idle-gpu,stall`` (opt-in, never a default) stops the job
once, on the first finding of those kinds: ``StopTrainingJob`` for a SageMaker job (needs
``sagemaker:StopTrainingJob``), the process for a command; ``--dry-run`` says what it would
have stopped. Exit status: 1 when a finding of severity ``error`` occurred, 0 otherwise, 2 on
bad input (an unknown job, a bad flag), 130 on Ctrl-C. The logic is
:class:`metricwidgets.polling.guard.Guard`'s; this module only wires it and prints.
"""

from __future__ import annotations

import json
import shlex
import threading

from metricwidgets.cli.parse import add_definition_arguments, refuse_bad_step
from metricwidgets.errors import InputError
from metricwidgets.options import MetricOptions, add_option_arguments

__all__ = ["register", "run"]

#: The keys of a finding's JSON line (as ``diagnose``'s, plus the job).
JSON_KEYS = ("kind", "metric", "job", "host", "step", "value", "text", "severity")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "watch", help="follow a job to its end, print each finding as it appears, "
                      "optionally stop the job on one",
        description="Follow the SageMaker training job JOB (or --command CMD, --file LOG) to "
                    "its end and print each finding once, as it appears (overfitting, "
                    "divergence, NaN/Inf, plateau, stall; a job's idle GPU, memory or disk "
                    "nearly full). --stop-on stops the job once, on the first finding of the "
                    "kinds named (StopTrainingJob, which needs sagemaker:StopTrainingJob). "
                    "Exit status 1 when an error-severity finding occurred.")
    parser.add_argument("job", metavar="JOB", nargs="?", help="a SageMaker training job")
    parser.add_argument("--command", metavar="CMD", dest="run_command",
                        help="run this training command (shell words) and watch its output")
    parser.add_argument("--file", metavar="LOG", help="follow a log file (until Ctrl-C)")
    parser.add_argument("--until", choices=("done", "finding"), default="done",
                        help="done: until the job ends (default); finding: until the first "
                             "warning or error")
    parser.add_argument("--stop-on", metavar="KINDS", default="",
                        help="stop the job on the first finding of these kinds (comma "
                             "separated: divergence,nonfinite,idle-gpu,stall); never by default")
    parser.add_argument("--dry-run", action="store_true",
                        help="with --stop-on: say what would be stopped, stop nothing")
    parser.add_argument("--interval", type=_seconds, default=None, metavar="SECONDS",
                        help="seconds between polls at the least, above 0 and at most 3600 "
                             "(default 2; 0.2 for a command)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    add_definition_arguments(parser, required=False)
    add_option_arguments(parser, "step", "source", "region", "profile", "endpoint_url")
    parser.set_defaults(func=run)


def _seconds(text: str) -> float:
    """``--interval``: a finite number of seconds above 0 (argparse says it in one line)."""
    import argparse
    import math

    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (0 < value <= 3600):
        raise argparse.ArgumentTypeError(f"expected seconds above 0 and at most 3600, not "
                                         f"{text[:40]!r}")
    return value


def _make_watch(args, options: MetricOptions):
    """The watch of what the flags name (not started), and its utilization watch or None."""
    from metricwidgets.polling import Watch

    targets = [t for t in (args.job, args.run_command, args.file) if t]
    if len(targets) != 1:
        raise InputError("give exactly one of JOB, --command CMD or --file LOG")
    if args.job:
        from metricwidgets.sources.names import invalid_name_reason

        reason = invalid_name_reason(args.job)
        if reason:
            raise InputError(f"{args.job[:80]!r} is not a training job's name: {reason}")
    polling = {"start": False}
    if args.interval is not None:
        polling["min_interval"] = args.interval
        polling["max_interval"] = max(args.interval, 1.0)
    if args.run_command:
        from metricwidgets.polling.utilization_watch import system_watch_for_run

        watch = Watch.for_command(shlex.split(args.run_command), options=options, **polling)
        return watch, system_watch_for_run(watch, start=False)
    if args.file:
        return Watch.for_file(args.file, options=options, **polling), None
    from metricwidgets.polling.utilization_watch import system_watch_for_job

    watch = Watch.for_job(args.job, options=options, **polling)
    system = None
    if options.source != "system":
        system = system_watch_for_job(args.job, start=False, options=options, beside=watch)
    return watch, system


class _Printer:
    """Prints the guard's events, one line each, whatever thread they come from."""

    def __init__(self, fmt: str):
        self.json = fmt == "json"
        self._lock = threading.Lock()

    def __call__(self, event: dict) -> None:
        if self.json:
            line = json.dumps(self._json(event))
        else:
            line = self._text(event)
        with self._lock:
            print(line, flush=True)

    @staticmethod
    def _json(event: dict) -> dict:
        if event["event"] == "finding":
            row = event["finding"].to_dict()
            return {"event": "finding", **{k: row[k] for k in JSON_KEYS}}
        return event

    @staticmethod
    def _text(event: dict) -> str:
        if event["event"] == "finding":
            f = event["finding"]
            who = " / ".join(w for w in (f.job, f.host) if w)
            return f"{f.severity}{f' [{who}]' if who else ''}: {f.text}"
        if event["event"] == "end":
            return event["text"]
        if event["dry_run"]:
            return f"dry run: would stop {event['job']} ({event['kind']}): {event['reason']}"
        if event["error"]:
            return f"could not stop {event['job']}: {event['error']}"
        return f"stopping {event['job']} ({event['kind']}): {event['reason']}"


def _stopper(args, options: MetricOptions, watch):
    if args.job:
        from metricwidgets.sources.job_control import stop_training_job

        return lambda job: stop_training_job(job, options.aws)
    return lambda job: watch.close()  # a command's process group is killed; a file: stop


def run(args) -> int:
    from metricwidgets.core.diagnosis import has_errors
    from metricwidgets.polling.guard import Guard, parse_stop_on

    stop_on = parse_stop_on(args.stop_on)
    if args.dry_run and not stop_on:
        raise InputError("--dry-run goes with --stop-on KINDS")
    options = MetricOptions.from_arguments(args)
    refuse_bad_step(args.step)
    watch, system = _make_watch(args, options)
    printer = _Printer(args.format)
    guard = Guard(stop_on, _stopper(args, options, watch), printer, dry_run=args.dry_run,
                  default_job=watch.name)
    seen_warning = threading.Event()

    def on_finding(finding) -> None:
        guard(finding)
        if finding.severity in ("warning", "error"):
            seen_warning.set()

    try:
        _first_poll(watch)
        for each in (watch, system):
            if each is not None:
                each.on_finding(on_finding)
                each.resume()
        while not (watch.wait(0.5) or watch.closed or watch.error is not None):
            if args.until == "finding" and seen_warning.is_set():
                break
        if watch.error is not None:
            raise watch.error
        _drain(watch, system)
    finally:
        watch.close()
        if system is not None:
            system.close()
    # A command stopped by the guard was killed with its watch: its last status is stale.
    killed = bool(guard.stopped) and not guard.dry_run and not args.job
    status = "Stopped" if killed else _status(watch)
    printer({"event": "end", "text": _summary(watch.name, status, guard), "job": watch.name,
             "status": status, "findings": len(guard.findings),
             "errors": sum(f.severity == "error" for f in guard.findings)})
    return 1 if has_errors(guard.findings) else 0


def _first_poll(watch) -> None:
    """An unknown job, missing credentials or an endpoint that does not answer: one error
    line now (exit 2), not retries with nothing said."""
    watch.poll_once()
    if watch.error is not None:
        raise watch.error
    if watch.last_error is not None and not watch.statuses:
        raise watch.last_error


def _drain(watch, system) -> None:
    """The last findings of a finished watch reach the printer before the summary."""
    for each in (watch, system):
        if each is not None:
            each.flush_findings()


def _status(watch) -> str:
    status = watch.statuses.get(watch.name)
    return status.status if status is not None else "Unknown"


def _summary(name: str, status: str, guard) -> str:
    errors = sum(f.severity == "error" for f in guard.findings)
    stopped = "; stopped by --stop-on" if guard.stopped and not guard.dry_run else ""
    return f"{name}: {status}{stopped}; {len(guard.findings)} finding(s), {errors} error(s)"

