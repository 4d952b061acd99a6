"""How a captured string becomes a metric value, by SageMaker's rules (one place).

SageMaker converts capture group 1 with a float parse and publishes it to CloudWatch, which
refuses NaN, infinities and magnitudes outside 2^-360 .. 2^360. Captures that are not numbers
(``cat``, ``0.9,``, ``(0.0009)``) are dropped silently by SageMaker (SDK issue #3208); here
they are dropped from the series too, but each drop carries its reason so a user is told why.
"""

from __future__ import annotations

import math
import re

from metricwidgets.core.parsing._regex_analysis import NUMBER

__all__ = ["DROP_REASONS", "NUMBER_RE", "convert"]

#: A decimal floating-point literal, surrounding blanks allowed (a float parse trims them).
#: Python's ``float()`` also takes ``1_000``; SageMaker's parser does not, so neither do we.
NUMBER_RE = re.compile(rf"\s*{NUMBER}\s*")
_NAN_RE = re.compile(r"\s*[+-]?nan\s*", re.IGNORECASE)
_INF_RE = re.compile(r"\s*[+-]?inf(?:inity)?\s*", re.IGNORECASE)

_MAX = 2.0 ** 360
_MIN = 2.0 ** -360

#: Why a capture gave no point: reason code -> what a user is told.
DROP_REASONS = {
    "empty": "the capture is empty",
    "not-a-number": "the capture is not a number",
    "nan": "the value is NaN (CloudWatch refuses it)",
    "inf": "the value is infinite (CloudWatch refuses it)",
    "out-of-range": "the value is outside CloudWatch's range 2^-360 .. 2^360",
}


def convert(captured: str | None) -> tuple[float, str | None]:
    """Convert a capture to a value.

    Parameters
    ----------
    captured : str or None
        Group 1's text (None when the group did not take part in the match).

    Returns
    -------
    (value, reason)
        ``reason`` is None for a value SageMaker publishes, else a key of
        :data:`DROP_REASONS`; ``value`` is then NaN, +-inf for ``inf`` or the parsed number
        for ``out-of-range`` (so a diverging loss can still be shown where it happened).
    """
    if not captured:
        return math.nan, "empty"
    if NUMBER_RE.fullmatch(captured):
        value = float(captured)
        if math.isinf(value):
            # A literal too large for a double (1e999) overflows to inf: out of range too.
            return value, "out-of-range"
        magnitude = abs(value)
        if magnitude > _MAX or 0.0 < magnitude < _MIN:
            return value, "out-of-range"
        return value, None
    if _NAN_RE.fullmatch(captured):
        return math.nan, "nan"
    if _INF_RE.fullmatch(captured):
        return (-math.inf if captured.strip().startswith("-") else math.inf), "inf"
    if captured.strip() == "":
        return math.nan, "empty"
    return math.nan, "not-a-number"
