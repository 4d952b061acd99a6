"""A guard over a watch: findings told as they appear, and a job stopped on the user's say-so.

:class:`Guard` is the logic behind ``metricwidgets watch``: registered with
``Watch.on_finding`` it reports each finding once (through ``report``) and, when the
finding's kind is one the user named in ``stop_on`` (``divergence``, ``nonfinite``,
``idle-gpu``, ``stall``), stops the job once (through ``stop``, e.g.
:func:`metricwidgets.sources.job_control.stop_training_job`) with the finding as the reason.
With ``dry_run`` it only says what it would have stopped. Never stops by default: an empty
``stop_on`` stops nothing. Called on the poller's thread, so a stop follows the poll that
brought the finding without waiting for any other.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

__all__ = ["STOPPABLE", "Guard", "parse_stop_on"]

#: The finding kinds ``--stop-on`` accepts.
STOPPABLE = ("divergence", "nonfinite", "idle-gpu", "stall")


def parse_stop_on(text: str | None) -> tuple[str, ...]:
    """``"divergence,stall"`` -> ``("divergence", "stall")``.

    Raises
    ------
    InputError
        For a kind not in :data:`STOPPABLE` (one line naming those that are).
    """
    from metricwidgets.errors import InputError

    kinds = tuple(dict.fromkeys(k.strip() for k in (text or "").split(",") if k.strip()))
    unknown = [k for k in kinds if k not in STOPPABLE]
    if unknown:
        raise InputError(f"--stop-on: unknown finding kind(s) {', '.join(unknown)}; "
                         f"choose among {', '.join(STOPPABLE)}")
    return kinds


class Guard:
    """Report findings; stop the job once on a finding of a kind in ``stop_on``.

    Parameters
    ----------
    stop_on : sequence of str
        Finding kinds that stop the job (empty: never stop).
    stop : callable
        ``stop(job_name)``: stops the job; may raise a UserFacingError (told, not fatal).
    report : callable
        ``report(event: dict)``: ``{"event": "finding", "finding": Finding}``, ``{"event":
        "stop", "job", "reason", "dry_run", "error"}``.
    dry_run : bool
        Say what would be stopped; stop nothing.

    Attributes
    ----------
    findings : list of Finding
        Every finding reported, in order.
    stopped : dict of str to str
        Job -> the reason it was stopped (or would have been, dry run).
    """

    def __init__(self, stop_on, stop: Callable[[str], None], report: Callable[[dict], None],
                 dry_run: bool = False, default_job: str = ""):
        self.stop_on = tuple(stop_on)
        self._stop = stop
        self._report = report
        self.dry_run = dry_run
        self.default_job = default_job
        self.findings: list = []
        self.stopped: dict[str, str] = {}
        self._lock = threading.Lock()

    def __call__(self, finding) -> None:
        with self._lock:
            self.findings.append(finding)
        self._report({"event": "finding", "finding": finding})
        if finding.kind not in self.stop_on:
            return
        job = finding.job or self.default_job
        with self._lock:
            if job in self.stopped:
                return  # once per job, whatever else is found
            self.stopped[job] = finding.text
        error = None
        if not self.dry_run:
            try:
                self._stop(job)
            except Exception as exc:  # noqa: BLE001 told in one line; the watch goes on
                error = str(exc)
        self._report({"event": "stop", "job": job, "kind": finding.kind,
                      "reason": finding.text, "dry_run": self.dry_run, "error": error})
