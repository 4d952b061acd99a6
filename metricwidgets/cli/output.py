"""Writing a DataFrame to stdout the way every subcommand does: CSV (header = the frame's
columns) or a JSON array of records (NaN as null)."""

from __future__ import annotations

import sys

__all__ = ["write_frame"]


def write_frame(frame, fmt: str, stream=None) -> None:
    """Write ``frame`` as ``fmt`` (``"csv"`` or ``"json"``) to ``stream`` (stdout)."""
    stream = sys.stdout if stream is None else stream
    if fmt == "json":
        frame.to_json(stream, orient="records", lines=False)
        stream.write("\n")
    else:
        frame.to_csv(stream, index=False)
