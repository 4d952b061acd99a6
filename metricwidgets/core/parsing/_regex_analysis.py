"""What the package knows about a regex before running it, in one place.

* One shim over Python's private ``re`` parser (``re._parser`` since 3.11, ``sre_parse``
  before): :func:`parse`, :func:`compile_parsed`, :func:`children` and the opcode table
  :data:`sre`. The parser, the guard and lint all read parse trees through it.
* One required-literal function, :func:`required_literal`: a run of plain characters every
  match must contain (the parser skips chunks and lines without it; lint looks for sample
  lines holding it).
* One number grammar, :data:`NUMBER`: what a float parse of a capture accepts (SageMaker
  converts group 1 with a float parse), used to convert values, to propose value groups
  (:data:`NUMBER_GROUP`) and to recognise numbers in a log.
* :func:`backtracking_degree`: how many repeats can backtrack over each other, which bounds
  the cost of one search (see :mod:`metricwidgets.core.parsing._regex_guard`).
"""

from __future__ import annotations

import re

try:  # Python >= 3.11
    from re import _compiler as _sre_compile
    from re import _constants as sre
    from re import _parser as _sre_parse
except ImportError:  # pragma: no cover - Python 3.10
    import sre_compile as _sre_compile  # type: ignore[no-redef]
    import sre_constants as sre  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

__all__ = [
    "EXPONENT",
    "NUMBER",
    "NUMBER_GROUP",
    "REPEATS",
    "SubPattern",
    "backtracking_degree",
    "children",
    "compile_parsed",
    "parse",
    "required_literal",
    "sre",
]

SubPattern = _sre_parse.SubPattern

#: The exponent of a decimal literal (``e-05``).
EXPONENT = r"[eE][-+]?\d+"
#: A decimal floating-point literal as a float parse takes it (``1``, ``-0.5``, ``3.``,
#: ``.5``, ``3.44e-05``); no groups. Python's ``float()`` also takes ``1_000``, ``inf`` and
#: ``nan``; SageMaker publishes none of these as numbers, so they are not in the grammar.
NUMBER = rf"[-+]?(?:\d+\.?\d*|\.\d+)(?:{EXPONENT})?"
#: A capture group SageMaker converts to a number whatever its notation (exponents kept).
NUMBER_GROUP = f"({NUMBER})"

#: Greedy and lazy repeats (possessive ones, 3.11+, never backtrack).
REPEATS = frozenset({sre.MAX_REPEAT, sre.MIN_REPEAT})
_POSSESSIVE = getattr(sre, "POSSESSIVE_REPEAT", None)
_ATOMIC = getattr(sre, "ATOMIC_GROUP", None)


def parse(regex: str):
    """Parse ``regex`` into ``re``'s own tree (a ``SubPattern``).

    Raises
    ------
    re.error
        When the regex does not compile.
    """
    return _sre_parse.parse(regex)


def compile_parsed(parsed, flags: int = 0) -> re.Pattern[str]:
    """Compile a (possibly rewritten) parse tree into an ``re`` pattern."""
    return _sre_compile.compile(parsed, flags)


def children(op, av) -> list:
    """The sub-patterns directly inside one parsed node."""
    if op in REPEATS or (_POSSESSIVE is not None and op is _POSSESSIVE):
        return [av[2]]
    if op is sre.SUBPATTERN:
        return [av[-1]]
    if op is sre.BRANCH:
        return list(av[1])
    if op in (sre.ASSERT, sre.ASSERT_NOT):
        return [av[1]]
    if op is sre.GROUPREF_EXISTS:
        return [p for p in av[1:] if p is not None]
    if _ATOMIC is not None and op is _ATOMIC:
        return [av]
    return []


def _literal_run(sub, flags: int) -> str:
    best, run = "", []
    for op, av in sub.data:
        if op is sre.LITERAL:
            run.append(chr(av))
            continue
        if len(run) > len(best):
            best = "".join(run)
        run = []
        if op is sre.SUBPATTERN and not (av[1] & re.IGNORECASE):
            inner = _literal_run(av[-1], flags)
            if len(inner) > len(best):
                best = inner
    if len(run) > len(best):
        best = "".join(run)
    return best


def required_literal(regex) -> str:
    """The longest run of plain characters every match of ``regex`` contains ("" if unsure).

    Parameters
    ----------
    regex : str or SubPattern
        A regex, or its tree from :func:`parse`.

    Returns
    -------
    str
        Taken from the top level and from groups that are not repeated, alternated or
        optional; "" for a case-insensitive regex.

    Raises
    ------
    re.error
        When a regex given as text does not compile.
    """
    parsed = parse(regex) if isinstance(regex, str) else regex
    if parsed.state.flags & re.IGNORECASE:
        return ""
    return _literal_run(parsed, parsed.state.flags)


# -- the cost of a search -----------------------------------------------------------------

#: Probe characters: a repeat whose body takes letters, digits, blanks and punctuation
#: alike can run over any part of a line, so it backtracks over the whole line.
_PROBES = "a0 :"


def _single_char_set(sub):
    """The node of a one-character body (literal, class, any), else None."""
    if len(sub.data) != 1:
        return None
    op, _ = sub.data[0]
    if op in (sre.LITERAL, sre.NOT_LITERAL, sre.ANY, sre.IN):
        return sub.data[0]
    return None


def _matches(node, char: str) -> bool:
    pattern = compile_parsed(SubPattern(sre_state(), [node]))
    return pattern.fullmatch(char) is not None


def sre_state():
    """A fresh parser state (what a hand-built ``SubPattern`` needs)."""
    return _sre_parse.State()


def _broad(body) -> bool:
    node = _single_char_set(body)
    if node is None:
        return True  # a multi-node body: assume the worst
    return sum(_matches(node, c) for c in _PROBES) >= len(_PROBES) - 1


def _next_char_node(items, k):
    """The single-character node that must come right after item ``k``, else None."""
    if k + 1 >= len(items):
        return None
    op, _ = items[k + 1]
    if op in (sre.LITERAL, sre.NOT_LITERAL, sre.ANY, sre.IN):
        return items[k + 1]
    return None


def _disjoint(body_node, next_node) -> bool:
    """Whether no character matches both one-character nodes (tested on their own chars)."""
    op, av = next_node
    if op is not sre.LITERAL:
        return False
    return not _matches(body_node, chr(av))


def _flatten(sub) -> list:
    """Top-level items with plain groups opened (their content is in sequence)."""
    out = []
    for op, av in sub.data:
        if op is sre.SUBPATTERN:
            out.extend(_flatten(av[-1]))
        else:
            out.append((op, av))
    return out


def _degree(sub) -> int:
    items = _flatten(sub)
    degree = 0
    for k, (op, av) in enumerate(items):
        if op in REPEATS and av[1] > 1:
            # Nothing but repeats that may match nothing after it: the first try succeeds.
            trailing = all(o in REPEATS and a[0] == 0 for o, a in items[k + 1:])
            body = _single_char_set(av[2])
            nxt = _next_char_node(items, k)
            stops = body is not None and nxt is not None and _disjoint(body, nxt)
            if not (trailing or stops) and _broad(av[2]):
                degree += 1
            degree += _degree(av[2])
        else:
            degree += sum(_degree(child) for child in children(op, av))
    return degree


def backtracking_degree(regex) -> int:
    """How many repeats of ``regex`` may backtrack over a whole line, one inside another's retry.

    A search of a line of length L costs up to about ``L ** (degree + 1)`` steps (one more
    factor for the start positions): ``loss=(\\S+)`` has degree 0, ``Valid_error\\s*=\\s*(.*?);``
    1, ``.*.*.*=(\\d)`` 3. A repeat does not count when it is the last thing matched, when
    the character after it is one it cannot take (``[0-9]+\\]``) or when its body is a narrow
    class (digits, blanks: it can only run over such a run of the line).

    Parameters
    ----------
    regex : str or SubPattern

    Raises
    ------
    re.error
        When a regex given as text does not compile.
    """
    return _degree(parse(regex) if isinstance(regex, str) else regex)
