"""A whole log parsed at once into a DataFrame: :func:`parse_log`, the public function.

A log of :data:`~metricwidgets.core.parsing.PARALLEL_MIN_BYTES` or more (a text in memory or
a file) is cut at line ends and parsed on every CPU
(:class:`~metricwidgets.core.parsing.ParallelParse`), with the points one process gives.
"""

from __future__ import annotations

import os
import warnings
from typing import Any

import numpy as np

from metricwidgets.core.parsing._definitions import (
    DefinitionWarning,
    MetricDefinition,
    load_definitions,
)
from metricwidgets.core.parsing._parallel import ParallelParse
from metricwidgets.core.parsing._parser import (
    LogParser,
    log_text_error,
    parser_warnings,
    refuse_invalid,
)
from metricwidgets.core.parsing._pieces import file_pieces, text_pieces
from metricwidgets.errors import InputError

__all__ = ["parse_log"]


def _pieces(log):
    """The log cut at line ends: a file's byte ranges, or slices of a text."""
    if isinstance(log, os.PathLike):
        path = os.fspath(log)
        try:
            with open(path, "rb"):
                pass
            return file_pieces(path)
        except OSError as exc:
            raise InputError(f"{path}: {exc.strerror or exc}") from None
    if not isinstance(log, (str, bytes, bytearray, memoryview)):
        raise log_text_error(log)
    return text_pieces(bytes(log) if not isinstance(log, (str, bytes)) else log)


def parse_log(text: str | bytes | os.PathLike, metric_definitions: Any, *, escape: bool = True,
              step_definition: MetricDefinition | str | None = None,
              workers: int | None = None):
    """Parse a whole log; return its points as a pandas DataFrame.

    Parameters
    ----------
    text : str, bytes or path-like
        The log (bytes are decoded as UTF-8, invalid bytes replaced), or a file holding it
        (a ``pathlib.Path``; a str is always the text itself).
    metric_definitions : anything :func:`~metricwidgets.core.parsing.load_definitions` reads
    escape : bool
        Apply SageMaker's escaping (False for text read back from CloudWatch Logs).
    step_definition : MetricDefinition, str or None
        A regex whose latest capture is each point's step.
    workers : int, optional
        Processes for a log of :data:`~metricwidgets.core.parsing.PARALLEL_MIN_BYTES` or
        more (1: this process only); the points are the same. Default: every CPU, but one
        in a script without an ``if __name__ == "__main__"`` guard (each worker would run
        the script's top level again, see
        :func:`~metricwidgets.core.parsing.main_reimport_safe`).

    Returns
    -------
    pandas.DataFrame
        Columns ``line`` (1-based), ``metric`` (the definition's name), ``value``, ``step``
        (the step definition's latest value, else the point's index in its series).
        ``attrs["warnings"]`` lists the warnings issued (below); ``attrs["stats"]`` holds
        ``lines``, ``cut_lines`` and ``cut_chars`` (see :class:`LogParser`).

    Raises
    ------
    DefinitionError
        For what SageMaker would refuse: a regex that does not compile, duplicate names,
        names or regexes too long or empty, too many definitions.
    InputError
        When ``text`` is neither str, bytes nor a path, or the file cannot be read.

    Warns
    -----
    DefinitionWarning
        For what SageMaker accepts but that yields nothing: a regex without a capture group,
        a definition disabled by the time budget (and lines cut at the length limit).
    """
    import pandas as pd

    pieces = _pieces(text)
    definitions = load_definitions(metric_definitions)
    useless = refuse_invalid(definitions)
    parser = LogParser(definitions, escape=escape, step_definition=step_definition)
    result = ParallelParse(parser, workers).parse(pieces)
    names = np.asarray(parser.names, dtype=object)
    frame = pd.DataFrame({
        "line": result.line,
        "metric": names[result.metric] if len(result) else np.empty(0, object),
        "value": result.value,
        "step": result.step,
    })
    if step_definition is None and len(frame):
        frame["step"] = frame.groupby("metric", sort=False).cumcount().astype(np.float64)
    said = [str(p) for p in useless] + parser_warnings(parser)
    for message in said:
        warnings.warn(message, DefinitionWarning, stacklevel=2)
    frame.attrs["warnings"] = said
    frame.attrs["stats"] = {"lines": parser.lines, "cut_lines": parser.cut_lines,
                            "cut_chars": parser.cut_chars}
    return frame
