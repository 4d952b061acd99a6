"""What every command must do with bad input: one ``metricwidgets COMMAND: error:`` line on
stderr, never a traceback (shared by the CLI's hostile-input tables, with and without AWS)."""

from __future__ import annotations


def one_line_error(done, command: str, most_lines: int = 3) -> str:
    """``done``'s stderr, asserted to start with the command's one error line; a regex's
    position note (two lines) is all that may follow it."""
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines and lines[0].startswith(f"metricwidgets {command}: error: "), done.stderr
    assert len(lines) <= most_lines, done.stderr
    return done.stderr
