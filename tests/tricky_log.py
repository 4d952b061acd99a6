"""A log with every kind of line that is hard to cut into pieces or to parse the same way
twice, for the tests of parsing on several processes (each door's).

Lines longer than a small piece, CRLF line ends, tabs (``#011`` once escaped), ANSI colours,
lone carriage returns, invalid and multibyte UTF-8 (also a character cut by its line's end),
one line past CloudWatch's 256 KB cut, captures dropped for every reason, step lines only now
and then (so that drops fall before a piece's first step), and no final newline.
"""

from __future__ import annotations

import random

from metricwidgets.core.parsing import MAX_LINE, MetricDefinition

__all__ = ["DEFINITIONS", "STEP", "tricky_log"]

DEFINITIONS = [MetricDefinition("loss", r"loss=(\S+?);"),
               MetricDefinition("acc", r"#011acc: ([-+0-9.e]+)"),
               MetricDefinition("f1", r"f1=(.*?)$"),
               MetricDefinition("tail", r"tail=(\d+)")]
STEP = MetricDefinition("step", r"^\[(\d+)\]")


def tricky_log(seed: int = 3, lines: int = 4000) -> bytes:
    """A log with every tricky kind of line, and the step lines only now and then (so that
    drops fall before a piece's first step)."""
    rng = random.Random(seed)
    out = []
    for i in range(lines):
        kind = rng.randrange(12)
        if kind == 0 and rng.random() < 0.3:
            out.append(f"[{i}] loss={rng.random():.5f}; lr=0.1".encode())
        elif kind == 1:
            out.append(f"  epoch\tacc: {rng.random():.3f}\r".encode())  # a tab, CRLF
        elif kind == 2:
            value = rng.choice(["0.5", "cat", "inf", "-inf", "nan", "1e999", "", "(0.1)"])
            out.append(f"f1={value}".encode())
        elif kind == 3:  # multibyte characters, often across a piece's raw offset
            out.append("é١٢😀 loss=0.25; ".encode() * rng.randrange(1, 300))
        elif kind == 4:
            out.append(b"\xff\xfe garbled loss=0.5; tail=" + str(i).encode())
        elif kind == 5:
            out.append(b"cut short \xe2\x82")  # a character cut by the line's end
        elif kind == 6:
            out.append(b"x" * rng.randrange(0, 6000) + b" loss=1;")
        elif kind == 7:
            out.append(b"\x1b[31mloss=3;\x1b[0m progress 10%\r50%\r")
        else:
            out.append(f"[{i}] step {i} throughput=12.5".encode())
        if i == lines // 2:  # one line past CloudWatch's 256 KB: cut, counted, parsed up to it
            out.append(b"loss=7; " + b"y" * (MAX_LINE + 1000) + b" tail=8")
    return b"\n".join(out) + b"\nloss=9; tail=10"  # no final newline
