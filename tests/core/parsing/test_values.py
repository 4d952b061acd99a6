"""Captured text to value, by SageMaker's rules: numbers kept, the rest dropped with a reason."""

from __future__ import annotations

import math

import pytest

from metricwidgets.core.parsing import DROP_REASONS, convert


@pytest.mark.parametrize("text, value", [("0.25", 0.25), ("-1.5e-05", -1.5e-05), ("3", 3.0),
                                         (".5", 0.5), ("7.", 7.0), (" 2.5 ", 2.5), ("+1E3", 1000.0),
                                         ("4.360613810741688e-05", 4.360613810741688e-05)])
def test_decimal_numbers_become_values(text, value):
    assert convert(text) == (value, None)


@pytest.mark.parametrize("text", ["0.9,", "(0.0009)", "cat", "1_000", "0x1F", "1.2.3", "2,5"])
def test_non_numeric_captures_are_dropped_as_not_a_number(text):
    value, reason = convert(text)
    assert reason == "not-a-number" and math.isnan(value)


@pytest.mark.parametrize("text", ["", None, "   "])
def test_empty_capture_is_dropped_as_empty(text):
    assert convert(text)[1] == "empty"


@pytest.mark.parametrize("text", ["nan", "NaN", "-nan"])
def test_nan_is_dropped_and_reported_as_nan(text):
    value, reason = convert(text)
    assert reason == "nan" and math.isnan(value)


@pytest.mark.parametrize("text, sign", [("inf", 1), ("-Infinity", -1), ("+INF", 1)])
def test_infinities_are_dropped_keeping_their_sign(text, sign):
    assert convert(text) == (sign * math.inf, "inf")


@pytest.mark.parametrize("text", ["1e999", "3e108", "-3e108", "1e-200"])
def test_magnitudes_outside_cloudwatch_range_are_out_of_range(text):
    value, reason = convert(text)
    assert reason == "out-of-range" and value == float(text)


def test_the_range_bounds_are_two_to_the_360():
    assert convert(repr(2.0 ** 360))[1] is None
    assert convert(repr(2.0 ** 360 * 1.0000001))[1] == "out-of-range"
    assert convert("0")[1] is None and convert("0.0") == (0.0, None)


def test_every_reason_has_a_message_for_the_user():
    assert set(DROP_REASONS) == {"empty", "not-a-number", "nan", "inf", "out-of-range"}
