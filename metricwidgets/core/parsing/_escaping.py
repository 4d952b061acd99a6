"""SageMaker's escaping of log text, applied to text that did not come from CloudWatch.

SageMaker ships a container's output through a syslog-style pipeline that writes every
control character as ``#`` followed by three octal digits: a tab arrives in CloudWatch Logs
as ``#011``. SageMaker's built-in regexes (XGBoost's ``#011validation-rmse:...``) are written
against that text, so a local process, a local file or a pasted sample must be escaped the
same way before matching, or those regexes never match.

Decisions made here (one place, easy to change):

- ``\\n`` ends a line and is never escaped.
- ``\\r\\n`` is one line break: a CRLF file is an artefact of the file, not of the program
  that wrote it, and escaping it would put ``#015`` before every ``$``.
- A lone ``\\r`` (progress bars redrawing a line) is escaped to ``#015``, as SageMaker does;
  the text before and after stays on one line, exactly as CloudWatch would show it.
- ANSI colour and cursor sequences (``\\x1b[34m``) are stripped before escaping: they are
  added by terminals and by the SageMaker SDK's local log printer, and a user's regex is
  written against the text they see, not the escape codes.
- DEL (``\\x7f``) is a control character too and is escaped to ``#177``.

A whole text is escaped with ``str.replace``, once per control character it holds (found by
one pass of ``bytes.translate`` over its UTF-8 form, where each of them is one byte that no
other character contains): several times faster than a regex substitution, and a text with
none (most logs) costs that one pass only. The result is the substitution's, character for
character (``tests/core/parsing/test_escaping.py`` compares them).
"""

from __future__ import annotations

import re

__all__ = ["escape_line", "escape_text", "strip_ansi", "CONTROL_RE", "ANSI_RE"]

#: ANSI CSI sequences (colours, cursor moves) and the two-character escapes (ESC + one char).
ANSI_RE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|[@-Z\\-_])")
#: The characters SageMaker escapes: every C0 control but the newline, and DEL.
CONTROL_RE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


#: The bytes of every character that is neither escaped nor stripped: deleting them from a
#: text's UTF-8 form leaves the control characters it holds (and only those).
_NOT_CONTROL = bytes([10, *range(0x20, 0x7F), *range(0x80, 0x100)])


def controls_in(text: str) -> str:
    """The distinct characters of ``text`` that :func:`escape_text` changes (ESC included),
    in code order; "" for text that escaping leaves as it is."""
    data = text.encode("ascii") if text.isascii() else text.encode("utf-8", "surrogatepass")
    found = data.translate(None, _NOT_CONTROL)
    return "".join(sorted(set(found.decode("ascii")))) if found else ""


def _octal(match: re.Match[str]) -> str:
    return "#%03o" % ord(match.group())


def strip_ansi(text: str) -> str:
    """Remove ANSI escape sequences (``\\x1b[34m`` ...) from ``text``."""
    if "\x1b" not in text:
        return text
    return ANSI_RE.sub("", text)


def escape_line(line: str) -> str:
    """Escape one line (no ``\\n`` in it) as SageMaker would, after stripping ANSI codes."""
    line = strip_ansi(line)
    if line.endswith("\r"):
        line = line[:-1]
    return CONTROL_RE.sub(_octal, line)


def escape_text(text: str) -> str:
    """Escape a whole text, keeping its ``\\n`` line breaks (``\\r\\n`` becomes ``\\n``)."""
    controls = controls_in(text)
    if not controls:
        return text
    if "\x1b" in controls:
        text = strip_ansi(text)
    if "\r" in controls:
        text = text.replace("\r\n", "\n")
    for char in controls:
        text = text.replace(char, "#%03o" % ord(char))
    return text
