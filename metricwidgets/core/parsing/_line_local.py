"""The line-local twin of a regex: one that can never see past a ``\\n``.

Every construct that could match ``\\n`` is narrowed so it cannot (``.`` and ``[^;]`` become
"anything but ``\\n``"; ``\\s``, ``\\D`` and other sets that contain ``\\n`` are guarded with
a ``(?!\\n)`` look-ahead), and ``^ $ \\A \\Z`` become line anchors. A line holds no ``\\n``,
so on a line the twin behaves exactly like the original; in text of joined lines, an attempt
at a position meets ``\\n`` where the line would end, and every consuming node fails there
just as it fails at the end of the line (``$`` and ``\\b`` agree too; a look-behind cannot see
across ``\\n``). So one ``finditer`` over a chunk finds, per line, what ``search(line)`` finds
(see :mod:`metricwidgets.core.parsing._parser`).

A twin that starts with ``.*`` or ``.*?`` (SageMaker's XGBoost regexes) is anchored at the
line start: if it matches at some position of a line it also matches at the line start (the
``.*`` absorbs the gap), and a search returns the leftmost match, so the result is the same
while the quadratic retry at every position disappears.
"""

from __future__ import annotations

import re

from metricwidgets.core.parsing._regex_analysis import (
    REPEATS,
    SubPattern,
    children,
    compile_parsed,
    parse,
    sre,
)

__all__ = ["LineLocal", "line_local"]

_NL = 10  # ord("\n")
_POSSESSIVE = getattr(sre, "POSSESSIVE_REPEAT", None)
_ATOMIC = getattr(sre, "ATOMIC_GROUP", None)
_LINE_ANCHORS = {
    sre.AT_BEGINNING: sre.AT_BEGINNING_LINE,
    sre.AT_BEGINNING_STRING: sre.AT_BEGINNING_LINE,
    sre.AT_END: sre.AT_END_LINE,
    sre.AT_END_STRING: sre.AT_END_LINE,
}
#: Whether a character-class category holds "\n" (the categories the parser emits).
_CATEGORY_HAS_NL = {
    sre.CATEGORY_DIGIT: False, sre.CATEGORY_NOT_DIGIT: True,
    sre.CATEGORY_SPACE: True, sre.CATEGORY_NOT_SPACE: False,
    sre.CATEGORY_WORD: False, sre.CATEGORY_NOT_WORD: True,
}


class _NotLineLocal(Exception):
    """The regex has a construct the rewrite does not handle: search it line by line."""


def _set_has_newline(items) -> bool:
    hit = False
    for op, av in items:
        if op is sre.NEGATE:
            continue
        if op is sre.LITERAL:
            hit = hit or av == _NL
        elif op is sre.RANGE:
            hit = hit or av[0] <= _NL <= av[1]
        elif op is sre.CATEGORY and av in _CATEGORY_HAS_NL:
            hit = hit or _CATEGORY_HAS_NL[av]
        else:
            raise _NotLineLocal(op)
    negated = bool(items) and items[0][0] is sre.NEGATE
    return hit != negated


def _not_newline(state):
    return (sre.ASSERT_NOT, (1, SubPattern(state, [(sre.LITERAL, _NL)])))


# Each rewrite of one node: (op, av, state) -> list of nodes replacing it.

def _literal(op, av, state):
    if av == _NL:
        raise _NotLineLocal("literal newline")
    return [(op, av)]


def _not_literal(op, av, state):
    if av != _NL:
        return [(sre.IN, [(sre.NEGATE, None), (sre.LITERAL, av), (sre.LITERAL, _NL)])]
    return [(op, av)]


def _any(op, av, state):
    return [(sre.NOT_LITERAL, _NL)]


def _in(op, av, state):
    if not _set_has_newline(av):
        return [(op, av)]
    if av and av[0][0] is sre.NEGATE:
        return [(op, list(av) + [(sre.LITERAL, _NL)])]
    return [_not_newline(state), (op, av)]


def _at(op, av, state):
    return [(op, _LINE_ANCHORS.get(av, av))]


def _inside(op, av, state):
    for child in children(op, av):
        _rewrite(child)
    return [(op, av)]


def _keep(op, av, state):
    return [(op, av)]


_RULES = {sre.LITERAL: _literal, sre.NOT_LITERAL: _not_literal, sre.ANY: _any, sre.IN: _in,
          sre.AT: _at, sre.GROUPREF: _keep}
for _op in (*REPEATS, _POSSESSIVE, sre.SUBPATTERN, sre.BRANCH, sre.ASSERT, sre.ASSERT_NOT,
            _ATOMIC, sre.GROUPREF_EXISTS):
    if _op is not None:
        _RULES[_op] = _inside


def _rewrite(sub) -> None:
    """Make ``sub`` (a parsed pattern) line-local in place."""
    out = []
    for op, av in sub.data:
        rule = _RULES.get(op)
        if rule is None:
            raise _NotLineLocal(op)
        out.extend(rule(op, av, sub.state))
    sub.data[:] = out
    sub.width = None  # widths are cached; the look-ahead guards changed nothing, but be safe


def _starts_with_dot_star(sub) -> bool:
    if not sub.data:
        return False
    op, av = sub.data[0]
    return (op in REPEATS and av[0] == 0 and av[1] == sre.MAXREPEAT
            and list(av[2].data) == [(sre.NOT_LITERAL, _NL)])


class LineLocal:
    """A compiled twin and what is known of it.

    Attributes
    ----------
    pattern : re.Pattern
    anchored : bool
        The twin was anchored at line starts (it began with ``.*``).
    """

    def __init__(self, pattern: re.Pattern[str], anchored: bool):
        self.pattern, self.anchored = pattern, anchored


def line_local(regex: str) -> re.Pattern[str] | None:
    """Compile the line-local twin of ``regex`` (see the module docstring), or None.

    None means the twin cannot be built (a literal newline in the regex, or an unknown
    construct); such a regex must be searched line by line.
    """
    twin = build_twin(regex)
    return None if twin is None else twin.pattern


def build_twin(regex: str) -> LineLocal | None:
    """Like :func:`line_local`, with whether the twin is anchored at line starts."""
    parsed = parse(regex)
    try:
        _rewrite(parsed)
    except _NotLineLocal:
        return None
    anchored = _starts_with_dot_star(parsed)
    if anchored:
        parsed.data.insert(0, (sre.AT, sre.AT_BEGINNING_LINE))
    return LineLocal(compile_parsed(parsed, 0), anchored)
