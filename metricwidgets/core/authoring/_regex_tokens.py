"""A regex's source split into tokens with their positions, for lint and its fixes.

Enough to point at a character of the regex and to rewrite part of it (replace capture
group 1, put ``\\s*`` around an ``=``), not a parser: what a regex *means* is read with
Python's own parser (:mod:`metricwidgets.core.parsing._regex_analysis`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Token", "group_one", "quantified", "replace_group_one", "tokenize"]


@dataclass(frozen=True)
class Token:
    """One token: its span in the source, its kind and, for a plain character, the character.

    ``kind`` is one of literal, escape, class, open, close, quant, anchor, alt, any, comment.
    """

    start: int
    end: int
    kind: str
    text: str
    capturing: bool = False
    char: str | None = None  # for literal-like tokens: the character it matches

    @property
    def is_literal(self) -> bool:
        return self.char is not None


_QUANT_RE = re.compile(r"(?:[*+?]|\{\d*(?:,\d*)?\})[?+]?")
_OPEN_RE = re.compile(r"\((?:\?P<\w+>|\?P=\w+\)|\?[:=!>]|\?<[=!]|\?[aiLmsux-]+[:)]|)")
_ESCAPE_CLASSES = set("dDsSwWbBAZ")
#: How far a \x, \u, \U escape reaches.
_ESCAPE_WIDTH = {"x": 4, "u": 6, "U": 10}


def _escape(source: str, i: int) -> Token:
    nxt = source[i + 1]
    end, char = i + 2, None
    if nxt in _ESCAPE_WIDTH:
        end = i + _ESCAPE_WIDTH[nxt]
    elif nxt.isdigit():
        while end < len(source) and end < i + 4 and source[end].isdigit():
            end += 1
    elif nxt == "t":
        char = "\t"
    elif nxt not in _ESCAPE_CLASSES and not nxt.isalnum():
        char = nxt
    return Token(i, end, "escape", source[i:end], char=char)


def _char_class(source: str, i: int) -> Token:
    n, j = len(source), i + 1
    if j < n and source[j] == "^":
        j += 1
    if j < n and source[j] == "]":
        j += 1
    while j < n and source[j] != "]":
        j += 2 if source[j] == "\\" else 1
    end = min(j + 1, n)
    return Token(i, end, "class", source[i:end])


def _open(source: str, i: int) -> Token:
    if source.startswith("(?#", i):
        end = source.find(")", i)
        end = len(source) if end < 0 else end + 1
        return Token(i, end, "comment", source[i:end])
    m = _OPEN_RE.match(source, i)
    head = m.group() if m else "("
    capturing = head == "(" or head.startswith("(?P<")
    # (?P=name) back-reference or (?i) flags: no group opened.
    kind = "any" if head.endswith(")") else "open"
    return Token(i, i + len(head), kind, head, capturing=capturing)


def _quant(source: str, i: int) -> Token:
    m = _QUANT_RE.match(source, i)
    if m:
        return Token(i, m.end(), "quant", m.group())
    return Token(i, i + 1, "literal", source[i], char=source[i])


_SINGLE = {")": "close", "^": "anchor", "$": "anchor", "|": "alt", ".": "any"}
_STARTS = {"[": _char_class, "(": _open, "*": _quant, "+": _quant, "?": _quant, "{": _quant}


def _token_at(source: str, i: int) -> Token:
    c = source[i]
    if c == "\\" and i + 1 < len(source):
        return _escape(source, i)
    if c in _STARTS:
        return _STARTS[c](source, i)
    if c in _SINGLE:
        return Token(i, i + 1, _SINGLE[c], c)
    return Token(i, i + 1, "literal", c, char=c)


def tokenize(source: str) -> list[Token]:
    """Split a Python regex into tokens with their positions (enough for lint, not a parser)."""
    tokens: list[Token] = []
    i = 0
    while i < len(source):
        tokens.append(_token_at(source, i))
        i = tokens[-1].end
    return tokens


def group_one(tokens: Sequence[Token]) -> tuple[int, int] | None:
    """Return token indices (open, close) of capture group 1, or None."""
    stack: list[tuple[int, bool]] = []
    for k, tok in enumerate(tokens):
        if tok.kind == "open":
            stack.append((k, tok.capturing))
        elif tok.kind == "close" and stack:
            opened, capturing = stack.pop()
            if capturing and not any(t.capturing and t.kind == "open"
                                     for t in tokens[:opened]):
                return opened, k
    return None


def quantified(tokens: Sequence[Token], k: int) -> bool:
    """Whether token ``k`` is followed by a quantifier."""
    return k + 1 < len(tokens) and tokens[k + 1].kind == "quant"


def replace_group_one(regex: str, body: str) -> str | None:
    """Return ``regex`` with capture group 1 (parentheses included) replaced by ``body``."""
    tokens = tokenize(regex)
    span = group_one(tokens)
    if span is None:
        return None
    return regex[:tokens[span[0]].start] + body + regex[tokens[span[1]].end:]
