"""Nice axis ticks, computed in the kernel so every axis shows the same labels everywhere.

The chart sends these as explicit tick values and labels (the browser's own guesses gave
"-0.015, 0.39, 0.8", repeated labels and log labels on a linear axis); the exports draw the
same ticks. Pure Python; no widget code.

- :func:`linear_ticks`: steps of 1, 2 or 5 times a power of ten; whole numbers on a step axis.
- :func:`log_ticks`: decades, with 2 and 5 between them when the range is under two decades.
- :func:`duration_ticks`: seconds since the start at 1/2/5/10/15/30 s, minutes, hours steps,
  labelled ``m:ss`` or ``h:mm:ss``.
- :func:`time_ticks`: wall-clock times (seconds since the epoch) at the same steps, labelled
  in UTC with a format that both ``time.strftime`` and d3's ``utcFormat`` understand.

Every function returns :class:`Ticks` whose values lie inside ``[lo, hi]``, are increasing and
whose labels are all different.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "TIME_STEPS",
    "Ticks",
    "duration_ticks",
    "js_number_key",
    "linear_ticks",
    "log_ticks",
    "ticks_for",
    "time_ticks",
]

#: Steps of a time axis, in seconds.
TIME_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600,
              43200, 86400, 172800, 432000, 864000)
_EPS = 1e-9


@dataclass(frozen=True)
class Ticks:
    """Tick positions and their labels.

    Attributes
    ----------
    values : tuple of float
        Increasing, inside the range asked for.
    labels : tuple of str
        One per value, all different.
    time_format : str or None
        For wall-clock ticks: the strftime/d3 ``utcFormat`` pattern the labels were made with.
    """

    values: tuple
    labels: tuple
    time_format: str | None = None


def _decimals(step: float) -> int:
    return max(0, -math.floor(math.log10(step) + _EPS))


def _number_labels(values: list[float], decimals: int) -> tuple:
    """Fixed-point labels in the usual range, else the shortest ``g`` form that tells every
    value apart."""
    biggest = max((abs(v) for v in values), default=0.0)
    if biggest == 0 or 1e-4 <= biggest < 1e6 and decimals <= 6:
        labels = [f"{v:.{decimals}f}" for v in values]
    else:
        labels = [f"{v:g}" for v in values]
        for precision in range(1, 17):
            labels = [f"{v:.{precision}g}" for v in values]
            if len(set(labels)) == len(labels):
                break
    return tuple("0" if label.strip("-0.") == "" else label for label in labels)


def _multiples(lo: float, hi: float, step: float) -> list[float]:
    first = math.ceil(lo / step - _EPS)
    last = math.floor(hi / step + _EPS)
    decimals = _decimals(step)
    return [round(k * step, decimals + 1) for k in range(first, last + 1)]


def _span(lo: float, hi: float) -> tuple[float, float]:
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return 0.0, 1.0
    if hi < lo:
        lo, hi = hi, lo
    if hi == lo:
        pad = abs(lo) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    return lo, hi


def linear_ticks(lo: float, hi: float, target: int = 6, integer: bool = False) -> Ticks:
    """Ticks at multiples of 1, 2 or 5 times a power of ten, about ``target`` of them.

    ``integer``: whole numbers only (a step axis), so never a step of 0.5.
    """
    lo, hi = _span(lo, hi)
    raw = (hi - lo) / max(target, 1)
    exponent = math.floor(math.log10(raw))
    # The 1-2-5 step nearest (in ratio) to the raw one: about ``target`` ticks.
    step = min((f * 10.0 ** exponent for f in (1, 2, 5, 10)),
               key=lambda candidate: abs(math.log(candidate / raw)))
    if integer:
        step = max(1.0, round(step))
    values = _multiples(lo, hi, step)
    while len(values) < 2 and not (integer and step <= 1):
        mantissa = round(step / 10.0 ** math.floor(math.log10(step) + _EPS))
        step /= 2.5 if mantissa == 5 else 2  # down the 1-2-5 ladder: 10, 5, 2, 1, 0.5
        values = _multiples(lo, hi, step)
    if integer:
        values = [float(int(v)) for v in values]
        return Ticks(tuple(values), tuple(str(int(v)) for v in values))
    return Ticks(tuple(values), _number_labels(values, _decimals(step)))


def log_ticks(lo: float, hi: float, target: int = 6) -> Ticks:
    """Decades inside ``[lo, hi]`` (every n-th when there are many); 2 and 5 times each
    decade when fewer than three decades fit; linear ticks when even those are too few."""
    if not (lo > 0 and hi > 0):
        return linear_ticks(lo, hi, target)
    lo, hi = min(lo, hi), max(lo, hi)
    first = math.ceil(math.log10(lo) - _EPS)
    last = math.floor(math.log10(hi) + _EPS)
    decades = list(range(first, last + 1))
    if len(decades) >= 3:
        every = max(1, math.ceil(len(decades) / target))
        values = [10.0 ** k for k in decades if (k - first) % every == 0]
    else:
        values = [m * 10.0 ** k for k in range(first - 1, last + 1) for m in (1, 2, 5)
                  if lo * (1 - _EPS) <= m * 10.0 ** k <= hi * (1 + _EPS)]
        if len(values) < 3:
            return linear_ticks(lo, hi, target)
    values = [float(f"{v:.12g}") for v in values]
    labels = [f"{v:g}" for v in values]
    return Ticks(tuple(values), tuple(labels))


def _time_step(span: float, target: int) -> float:
    raw = span / max(target, 1)
    if raw <= TIME_STEPS[-1]:
        return float(min(TIME_STEPS, key=lambda step: abs(math.log(step / raw))))
    days = raw / 86400.0
    return linear_ticks(0, days * target, target, integer=True).values[1] * 86400.0


def _clock(seconds: float, step: float) -> str:
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    hours, rest = divmod(round(seconds, 3), 3600)
    minutes, secs = divmod(rest, 60)
    frac = "" if step >= 1 else f"{secs % 1:.{_decimals(step)}f}"[1:]
    if hours:
        return f"{sign}{int(hours)}:{int(minutes):02d}:{int(secs):02d}{frac}"
    return f"{sign}{int(minutes)}:{int(secs):02d}{frac}"


def duration_ticks(lo: float, hi: float, target: int = 6) -> Ticks:
    """Seconds since the start at whole time steps, labelled ``m:ss`` (``h:mm:ss`` past an
    hour); under ten seconds, at decimal steps of a second."""
    lo, hi = _span(lo, hi)
    if hi - lo < 10:
        step_values = linear_ticks(lo, hi, target).values
        step = step_values[1] - step_values[0] if len(step_values) > 1 else 1.0
        values = list(step_values)
    else:
        step = _time_step(hi - lo, target)
        values = _multiples(lo, hi, step)
    labels = [_clock(v, step) for v in values]
    return Ticks(tuple(float(v) for v in values), tuple(labels))


def time_ticks(lo: float, hi: float, target: int = 6) -> Ticks:
    """Wall-clock ticks (seconds since the epoch) labelled in UTC.

    The format is ``%H:%M:%S`` under a minute's step, ``%H:%M`` under a day's, ``%b %d``
    beyond; a day is added to the clock when the range spans midnight and labels repeat.
    """
    lo, hi = _span(lo, hi)
    if hi - lo < 5:
        # Under a few seconds: decimal steps of a second, with milliseconds.
        values = linear_ticks(lo, hi, target).values
        labels = [time.strftime("%H:%M:%S", time.gmtime(v)) + f".{round(v % 1 * 1000):03d}"
                  for v in values]
        return Ticks(tuple(values), tuple(labels), "%H:%M:%S.%L")
    step = _time_step(hi - lo, target)
    values = _multiples(lo, hi, step)
    formats = ["%H:%M:%S"] if step < 60 else ["%H:%M", "%d %H:%M"] if step < 86400 else []
    formats += ["%b %d", "%Y-%m-%d"]
    labels = []
    for pattern in formats:
        labels = [time.strftime(pattern, time.gmtime(v)) for v in values]
        if len(set(labels)) == len(labels):
            break
    return Ticks(tuple(float(v) for v in values), tuple(labels), pattern)


def ticks_for(kind: str, lo: float, hi: float, target: int = 6) -> Ticks:
    """Ticks for an axis of ``kind``: ``step``, ``linear``, ``log``, ``relative``, ``wall``."""
    if kind == "step":
        return linear_ticks(lo, hi, target, integer=True)
    if kind == "log":
        return log_ticks(lo, hi, target)
    if kind == "relative":
        return duration_ticks(lo, hi, target)
    if kind == "wall":
        return time_ticks(lo, hi, target)
    return linear_ticks(lo, hi, target)


def js_number_key(value: float) -> str:
    """``value`` as JavaScript's ``String(number)`` writes it (the keys bqplot's
    ``tick_labels`` are looked up by)."""
    value = float(value)
    if value == 0:
        return "0"
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    text = repr(value)
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    power = int(exponent)
    if -7 < power < 21:
        return format(Decimal(text), "f")
    return f"{mantissa}e{'+' if power > 0 else '-'}{abs(power)}"
