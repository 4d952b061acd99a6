"""Numbers in findings' words as people write them: ``step 11,690``, ``0.0167``, ``1,250``.

Python's ``{:.4g}`` switches to an exponent at five integer digits (``1.169e+04`` for step
11,690) and shows no thousands separator; a finding is read, not parsed, so it says numbers
the way a person would: integers in full with separators, other values to four significant
digits in plain decimals, an exponent only for values too small to write out.
"""

from __future__ import annotations

import math

__all__ = ["plain_number"]

#: Below this magnitude a value is written with an exponent (``4.2e-05``).
_SMALLEST_PLAIN = 1e-4
#: At or above this magnitude a float is not written digit by digit.
_LARGEST_PLAIN = 1e15


def plain_number(value: float, digits: int = 4) -> str:
    """``value`` in plain words: ``11690.0`` -> ``11,690``; ``0.016704`` -> ``0.0167``;
    ``1234.5678`` -> ``1,235``; ``0.0`` -> ``0``; ``4.2e-05`` -> ``4.2e-05``; NaN -> ``NaN``,
    infinities -> ``inf``/``-inf``.

    ``digits`` significant digits are kept for values that are not whole numbers; a whole
    number is written in full (a step, a count, an integral metric) with ``,`` separating
    thousands, and never with an exponent.
    """
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    size = abs(value)
    if value == 0:
        return "0"
    if size >= _LARGEST_PLAIN:
        return f"{value:.{digits}g}"
    if value == round(value):
        return f"{int(round(value)):,}"
    if size < _SMALLEST_PLAIN:
        return f"{value:.{max(digits - 1, 1)}g}"
    decimals = max(digits - 1 - math.floor(math.log10(size)), 0)
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
