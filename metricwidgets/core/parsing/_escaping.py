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
"""

from __future__ import annotations

import re

__all__ = ["escape_line", "escape_text", "strip_ansi", "CONTROL_RE", "ANSI_RE"]

#: ANSI CSI sequences (colours, cursor moves) and the two-character escapes (ESC + one char).
ANSI_RE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|[@-Z\\-_])")
#: The characters SageMaker escapes: every C0 control but the newline, and DEL.
CONTROL_RE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


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
    text = strip_ansi(text).replace("\r\n", "\n")
    return CONTROL_RE.sub(_octal, text)
