"""Which lines a definition can match, said in a form CloudWatch Logs can scan for.

A backfill (:func:`metricwidgets.fetch_jobs_metrics`) asks CloudWatch Logs for the lines that
may match, instead of downloading whole logs, and parses those lines here with SageMaker's own
rules. That is exact only if the question asked of CloudWatch can only *widen* the match: every
line the regex matches must pass it. A :class:`Prefilter` is a set of terms, at least one of
which every matching line contains; it is derived from the regex's parse tree:

* a run of literal characters in sequence (``#011validation-rmse:``) is in every match;
* a group that is not repeated, alternated or optional is matched exactly once, so what it
  requires is required; so is the body of a repeat that must run at least once;
* an alternation requires one of its branches' terms (``train_loss=|valid_loss=``);
* any substring of a required term is required too: a term is cut down to the characters a
  CloudWatch regex filter pattern can hold (below).

Where soundness is not provable the definition gets no prefilter and the caller reads every
line (its :attr:`Prefilter.reason` says why): a case-insensitive regex (Python's ``re.I``
also folds ``ſ`` to ``s`` and ``K`` (Kelvin) to ``k``, which no ASCII class can say), no
required term, or none of at least :data:`MIN_TERM` characters (a term that short passes
nearly every line, and a filtered event costs more bytes than a plain one).

What the pattern means on real CloudWatch Logs
----------------------------------------------
:meth:`Prefilter.filter_pattern` writes a *regex* filter pattern, ``%term1|term2%``, for
``FilterLogEvents``. Its semantics, from CloudWatch Logs' "Supported regular expressions
(regex) syntax": an unanchored, case-sensitive search of the message (``%AUTHORIZED%``
returns ``UNAUTHORIZED REQUEST``), ``|`` alternation, ``\\.`` a literal dot; only ASCII
letters and digits, the symbols ``: _ # = @ / ; , -`` and the operators ``^ $ ? [ ] { } | \\
* + .`` may appear, no parentheses, no multi-byte characters, at most two regexes in one
pattern. Terms are therefore kept to letters, digits, those symbols and the dot. *Term*
patterns (``"loss="``) are not used: CloudWatch tokenises messages on non-alphanumeric
characters for them, so a quoted term is not a plain substring test.

:meth:`Prefilter.insights_condition` writes the same terms for Logs Insights' ``filter``
(``@message like /loss=|acc=/``: a case-sensitive regex search of the message).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from metricwidgets.core.parsing._regex_analysis import REPEATS, parse, sre

__all__ = ["MAX_PATTERN", "MIN_TERM", "Prefilter", "prefilter_for", "prefilter_union"]

#: The shortest term worth asking CloudWatch for.
MIN_TERM = 3
#: The longest filter pattern ``FilterLogEvents`` takes (characters).
MAX_PATTERN = 1024
#: The characters a term keeps (a regex filter pattern takes them; the dot is escaped).
_ALLOWED = re.compile(r"[A-Za-z0-9:_#=@/;,.\-]+")


@dataclass(frozen=True)
class Prefilter:
    """Lines that may match: those containing at least one of :attr:`terms`.

    Attributes
    ----------
    terms : tuple of str
        Empty when there is no sound prefilter: then every line must be read.
    reason : str
        Why there is none ("" when there is one).
    """

    terms: tuple[str, ...] = ()
    reason: str = ""

    @property
    def usable(self) -> bool:
        """Whether the scan can be pushed down (there are terms)."""
        return bool(self.terms)

    def passes(self, line: str) -> bool:
        """Whether ``line`` passes (what CloudWatch answers for :meth:`filter_pattern`)."""
        return not self.terms or any(term in line for term in self.terms)

    def filter_pattern(self) -> str:
        """The ``FilterLogEvents`` regex pattern, ``%t1|t2%`` ("" when there are no terms)."""
        if not self.terms:
            return ""
        return "%" + _alternation(self.terms) + "%"

    def insights_condition(self, field: str = "@message") -> str:
        """The Logs Insights ``filter`` condition for the same terms (a ``/`` in a term is
        escaped: it would end the ``/regex/``)."""
        return f"{field} like /{_alternation(self.terms).replace('/', chr(92) + '/')}/"


def _alternation(terms) -> str:
    return "|".join(term.replace(".", "\\.") for term in terms)


def _expressible(term: str) -> str:
    """The longest run of ``term`` a CloudWatch regex pattern can hold ("" if none)."""
    return max(_ALLOWED.findall(term), key=len, default="")


def _score(terms) -> tuple:
    # The shortest term bounds how selective the set is; fewer terms break ties.
    return (min(map(len, terms)), -len(terms)) if terms else (0, 0)


def _best(a, b):
    return b if _score(b) > _score(a) else a


def _sequence_terms(sub) -> frozenset:
    """Terms one of which every match of the sequence ``sub`` contains (empty: unknown)."""
    best: frozenset = frozenset()
    run: list[str] = []

    def close_run():
        nonlocal best
        if run:
            best = _best(best, _cut({"".join(run)}))
            run.clear()

    for op, av in sub.data:
        if op is sre.LITERAL:
            run.append(chr(av))
            continue
        close_run()
        best = _best(best, _node_terms(op, av))
    close_run()
    return best


def _node_terms(op, av) -> frozenset:
    if op is sre.SUBPATTERN:
        if av[1] & re.IGNORECASE:
            return frozenset()
        return _sequence_terms(av[-1])
    if op in REPEATS and av[0] >= 1:
        return _sequence_terms(av[2])
    if op is sre.BRANCH:
        branches = [_sequence_terms(branch) for branch in av[1]]
        if not all(branches):
            return frozenset()
        return frozenset().union(*branches)
    return frozenset()


def _cut(terms) -> frozenset:
    """Each term cut to what CloudWatch can scan for; empty when one becomes too short."""
    cut = frozenset(_expressible(term) for term in terms)
    return cut if cut and min(map(len, cut)) >= 1 else frozenset()


def prefilter_for(regex: str) -> Prefilter:
    """The sound prefilter of one definition's regex (see the module's notes).

    Raises
    ------
    re.error
        When ``regex`` does not compile.
    """
    parsed = parse(regex)
    if parsed.state.flags & re.IGNORECASE:
        return Prefilter(reason="case-insensitive (CloudWatch's filter patterns are "
                                "case-sensitive)")
    terms = _sequence_terms(parsed)
    if not terms:
        return Prefilter(reason="no literal text that every match contains")
    if min(map(len, terms)) < MIN_TERM:
        return Prefilter(reason=f"no literal text of {MIN_TERM} or more characters that "
                                f"every match contains")
    return Prefilter(tuple(sorted(terms)))


def prefilter_union(regexes) -> Prefilter:
    """One prefilter for several regexes: a line passes when any of them may match it.

    No prefilter (with the reason naming the regex) as soon as one regex has none, or when
    the pattern would be longer than :data:`MAX_PATTERN`.

    Parameters
    ----------
    regexes : iterable of (str, str)
        ``(name, regex)`` pairs.
    """
    terms: set[str] = set()
    for name, regex in regexes:
        one = prefilter_for(regex)
        if not one.usable:
            return Prefilter(reason=f"{name}: {one.reason}")
        terms.update(one.terms)
    # A term containing another is implied by it: keep the shorter.
    kept = tuple(sorted(t for t in terms if not any(o != t and o in t for o in terms)))
    union = Prefilter(kept)
    if len(union.filter_pattern()) > MAX_PATTERN:
        return Prefilter(reason=f"the filter pattern would be longer than {MAX_PATTERN} "
                                f"characters")
    return union
