"""Writing results to stdout the way every subcommand does: CSV (header = the frame's columns)
or JSON that keeps a missing value apart from a non-finite one.

JSON has no NaN or infinity. Every command's ``--format json`` writes a non-finite number as
the strings ``"NaN"``, ``"Infinity"`` and ``"-Infinity"`` (the spellings JavaScript's
``Number()`` and Python's ``float()`` read back) and a missing value as ``null``, so the two
never look alike. In a DataFrame a missing number is NaN too: ``write_frame`` takes the
columns whose NaN is a value the job logged (``value_columns``); NaN anywhere else is missing.
"""

from __future__ import annotations

import json
import math
import sys

__all__ = ["json_number", "write_frame", "write_json_rows"]


def json_number(value, missing: bool = False):
    """``value`` made JSON-ready: a non-finite float as its string (``"NaN"``,
    ``"Infinity"``, ``"-Infinity"``), a NaN as None instead when ``missing`` (it stands for
    no value), None, NaT and pandas' NA as None, numpy scalars as Python ones."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # numpy scalar -> Python
    if isinstance(value, float):
        if math.isnan(value):
            return None if missing else "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if value.__class__.__name__ in ("NaTType", "NAType"):
        return None
    return value


def write_json_rows(rows, stream=None, indent: int | None = None) -> None:
    """A JSON array of ``rows`` (dicts already made with :func:`json_number`); strict JSON."""
    stream = sys.stdout if stream is None else stream
    json.dump(list(rows), stream, indent=indent, allow_nan=False)
    stream.write("\n")


def write_frame(frame, fmt: str, stream=None, value_columns=()) -> None:
    """Write ``frame`` as ``fmt`` (``"csv"`` or ``"json"``) to ``stream`` (stdout).

    In JSON, NaN in ``value_columns`` is ``"NaN"`` and elsewhere ``null`` (missing);
    infinities are ``"Infinity"``/``"-Infinity"`` in any column.
    """
    stream = sys.stdout if stream is None else stream
    if fmt == "json":
        columns = [str(c) for c in frame.columns]
        kinds = [c not in value_columns for c in columns]
        write_json_rows(({c: json_number(v, missing) for c, v, missing in
                          zip(columns, row, kinds)}
                         for row in frame.itertuples(index=False, name=None)), stream)
    else:
        frame.to_csv(stream, index=False)
