"""Where a playground's sample comes from: a file, a command's output, a job's log.

Each loader returns ``(text, notes)`` and never raises: ``notes`` are one-line messages (a
missing file, a command that cannot start, an unknown job) that the playground shows. The
reading itself is done by the sources (:mod:`metricwidgets.sources.local_process`,
:mod:`metricwidgets.sources.log_sample`); nothing here parses.

:class:`SampleLoader` is the row of the playground that offers the same three loaders.
"""

from __future__ import annotations

import shlex
import threading
import time
from typing import Callable

import ipywidgets as widgets

from metricwidgets.errors import error_line

__all__ = ["read_file", "run_command", "read_job", "SampleLoader", "MAX_SAMPLE_BYTES"]

#: Most bytes read from a file or a command's output.
MAX_SAMPLE_BYTES = 20_000_000



def read_file(path) -> tuple[str, list[str]]:
    """A log file's text (at most 20 MB, UTF-8, undecodable bytes replaced)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_SAMPLE_BYTES + 1)
    except OSError as exc:
        return "", [f"cannot read {str(path)!r}: {exc.strerror or exc}"]
    notes = []
    if len(data) > MAX_SAMPLE_BYTES:
        notes.append(f"{path}: only the first {MAX_SAMPLE_BYTES // 1_000_000} MB were read")
    return data[:MAX_SAMPLE_BYTES].decode("utf-8", errors="replace"), notes


def run_command(argv, timeout: float = 120.0) -> tuple[str, list[str]]:
    """Run ``argv`` (a list, or a string split like a shell would) to its end or ``timeout``
    seconds; return what it printed on stdout and stderr."""
    from metricwidgets.sources.local_process import LocalProcessSource

    try:
        source = LocalProcessSource(argv)
    except Exception as exc:
        return "", [error_line(exc)]
    chunks: list[str] = []
    notes = []
    try:
        deadline = time.monotonic() + timeout
        size = 0
        while True:
            update = source.poll()
            for batch in update.logs:
                text = batch.text if batch.text is not None else "\n".join(
                    batch.lines or []) + "\n"
                if isinstance(text, bytes):
                    text = text.decode("utf-8", errors="replace")
                chunks.append(text)
                size += len(text)
            if source.finished or size > MAX_SAMPLE_BYTES:
                break
            if time.monotonic() > deadline:
                notes.append(f"the command was stopped after {timeout:g} s")
                break
            time.sleep(0.05)
    except Exception as exc:
        notes.append(f"reading the command's output failed: {error_line(exc)}")
    finally:
        source.close()
    return "".join(chunks), notes


def read_job(name: str, options, first: int = 200, last: int = 200) -> tuple[str, list[str]]:
    """The first and last lines of each host's log of training job ``name`` (reached as
    ``options``, a :class:`~metricwidgets.options.MetricOptions`, say), hosts one after the
    other, lines exactly as CloudWatch holds them."""
    from metricwidgets.sources.log_sample import read_job_log_sample

    try:
        hosts = read_job_log_sample(name, options.aws, first=first, last=last)
    except Exception as exc:
        return "", [f"cannot read the log of {name!r}: {error_line(exc)}"]
    if not hosts:
        return "", [f"training job {name!r} has written no log yet"]
    return "\n".join(line for host in sorted(hosts) for line in hosts[host]), []


def job_definitions(name: str, options) -> list:
    """A training job's own metric definitions (``DescribeTrainingJob``, reached as
    ``options`` say); raises on error."""
    from metricwidgets.sources.sagemaker_job import SageMakerJobSource

    return list(SageMakerJobSource(name, options.aws).describe().definitions)


class SampleLoader(widgets.HBox):
    """"Load the sample from": a file path, a command line or a job name, and a button.

    Loading runs on a thread of its own (a command may run for a while; the kernel stays
    free), then hands ``(text, notes)`` to ``on_loaded``.

    Parameters
    ----------
    on_loaded : callable(text, notes)
    options : MetricOptions
        Where to reach AWS for a job.
    """

    def __init__(self, on_loaded: Callable[[str, list], None], options):
        self._on_loaded = on_loaded
        self.options = options
        self.kind = widgets.Dropdown(options=[("file", "file"), ("command", "command"),
                                              ("training job", "job")], value="file",
                                     layout=widgets.Layout(width="130px"))
        self.kind.add_class("mw-load-kind")
        self.target = widgets.Text(placeholder="path, command line or job name",
                                   layout=widgets.Layout(width="50%"))
        self.target.add_class("mw-load-target")
        self.button = widgets.Button(description="load sample", icon="upload",
                                     layout=widgets.Layout(width="auto"))
        self.button.add_class("mw-load")
        self.button.on_click(lambda _b: self.load())
        self.thread: threading.Thread | None = None
        super().__init__([widgets.HTML("Load the sample from"), self.kind, self.target,
                          self.button])
        self.add_class("mw-sample-loader")

    def load(self) -> threading.Thread | None:
        """Start loading; return the thread (tests join it)."""
        target = self.target.value.strip()
        if not target or (self.thread is not None and self.thread.is_alive()):
            return None
        kind = self.kind.value
        self.button.disabled = True

        def work():
            try:
                if kind == "file":
                    text, notes = read_file(target)
                elif kind == "command":
                    text, notes = run_command(shlex.split(target))
                else:
                    text, notes = read_job(target, self.options)
            except Exception as exc:  # a loader never raises; this is the last guard
                text, notes = "", [error_line(exc)]
            finally:
                self.button.disabled = False
            if text or notes:
                self._on_loaded(text, notes)

        self.thread = threading.Thread(target=work, name="metricwidgets-sample", daemon=True)
        self.thread.start()
        return self.thread
