"""SageMaker's escaping of local text: control characters as '#' + three octal digits."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metricwidgets.core.parsing import CONTROL_RE, escape_line, escape_text, strip_ansi
from metricwidgets.core.parsing._escaping import controls_in


def test_tab_is_escaped_as_octal_011():
    assert escape_line("[3]\ttrain-rmse:2.5\tvalidation-rmse:2.9") == \
        "[3]#011train-rmse:2.5#011validation-rmse:2.9"


@pytest.mark.parametrize("char, escaped", [("\x00", "#000"), ("\x07", "#007"), ("\x0b", "#013"),
                                           ("\x1f", "#037"), ("\x7f", "#177")])
def test_every_control_character_and_del_get_three_octal_digits(char, escaped):
    assert escape_line(f"a{char}b") == f"a{escaped}b"


def test_newlines_are_kept_and_crlf_becomes_one_line_break():
    assert escape_text("a\tb\r\nc\n") == "a#011b\nc\n"


def test_a_lone_carriage_return_stays_on_its_line_as_015():
    assert escape_text("10%\r50%\r100%\n") == "10%#01550%#015100%\n"
    assert escape_line("loss=1\r") == "loss=1"  # a CRLF line's \r


def test_ansi_colours_are_stripped_not_escaped():
    assert strip_ansi("\x1b[1;34mINFO\x1b[0m loss") == "INFO loss"
    assert escape_line("\x1b[31mloss\x1b[0m\t0.5") == "loss#0110.5"


def test_non_ascii_text_is_left_alone():
    assert escape_text("épochs ١٢ → ok\n") == "épochs ١٢ → ok\n"


@pytest.mark.parametrize("text", ["a\tb\r\nc\x1b[0m\r\n", "x\r\r\ny\n", "\x1b[2K\rprogress\n", "é\x00\n"])
def test_escaping_the_whole_text_equals_escaping_each_line(text):
    lines = text.split("\n")[:-1]
    assert escape_text(text) == "".join(escape_line(line) + "\n" for line in lines)


def _by_substitution(text: str) -> str:
    """The escaping written as SageMaker's rule reads: strip ANSI, CRLF to LF, then every
    control character but the newline as '#' and three octal digits."""
    text = strip_ansi(text).replace("\r\n", "\n")
    return CONTROL_RE.sub(lambda m: "#%03o" % ord(m.group()), text)


_CHARS = st.sampled_from(["\t", "\r", "\n", "\x1b", "\x00", "\x7f", "\x1f", "[", "0", "m",
                          "#", "é", "\ud800", "\U0001f600", "a", " "])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_CHARS, st.sampled_from(["\x1b[31m", "\r\n", "\x1b[2K", "#011"])),
                max_size=40).map("".join))
def test_the_fast_escaping_is_the_substitution_character_for_character(text):
    assert escape_text(text) == _by_substitution(text)


@pytest.mark.parametrize("text, controls", [("plain ascii\n", ""), ("é\ud800 ok\n", ""),
                                            ("a\tb\x1b[0m\r\n\x7f", "\t\r\x1b\x7f")])
def test_controls_in_names_each_character_escaping_changes_once(text, controls):
    assert controls_in(text) == controls
