"""Lint warnings for metric regexes: the classic mistakes SageMaker users make.

Each warning is data (:class:`LintWarning`: the definition's name, a code, a message and, where
one exists, a corrected regex) that widgets and the CLI show; nothing here prints.

The checks work on the regex alone and, when a sample of the log is given, also on the sample
(escaped the way SageMaker escapes it): a sample turns a guess ("this *may* miss
``Name = value``") into a fact ("line 1 has ``Valid_error = 0.324557``; the regex misses it").

=========================  ============================================================
code                       mistake
=========================  ============================================================
``spaces-around-equals``   ``Valid_error=(.*?);`` against ``Valid_error = 0.32;``
``exponent-cut-off``       ``([0-9]+(.|e\\-)[0-9]+)`` captures ``3.44`` of ``3.44e-05``
``tab-escape``             ``\\t`` in the regex; SageMaker's text has ``#011``
``caret-indented``         ``^Training>`` against ``  Training> ...``
``lazy-no-terminator``     ``loss=(.*?)`` captures the empty string
``non-numeric-capture``    ``acc=(\\S+)`` captures ``0.9,``
``value-in-brackets``      ``<score>=(\\S+)`` captures ``(0.0009)``
``matches-longer-name``    ``loss: (...)`` also matches ``val_loss: ...``
=========================  ============================================================

Sample checks run with the ``regex`` module's timeout and a budget per definition, so a
catastrophic regex makes lint skip its sample checks instead of hanging.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Iterable, Sequence

import regex as _regex

from metricwidgets.core.definitions import load_definitions
from metricwidgets.core.escaping import escape_text
from metricwidgets.core.values import convert

__all__ = [
    "LintWarning",
    "lint_definitions",
    "lint_definition",
    "SAFE_NUMBER",
    "NAME_GUARD",
    "LINT_CODES",
    "replace_group_one",
]

#: A capture group SageMaker converts to a number whatever its notation (exponents kept).
SAFE_NUMBER = r"([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)"
#: Put before a metric name so that ``loss`` does not also match ``val_loss`` or ``train-loss``.
NAME_GUARD = r"(?<![\w-])"

#: code -> one-line title of the mistake (for legends and docs).
LINT_CODES = {
    "spaces-around-equals": "spaces around '='",
    "exponent-cut-off": "exponent cut off",
    "tab-escape": "tab written as \\t instead of #011",
    "caret-indented": "'^' against indented lines",
    "lazy-no-terminator": "lazy group with nothing after it",
    "non-numeric-capture": "capture can take non-numeric text",
    "value-in-brackets": "value in brackets",
    "matches-longer-name": "also matches a longer name",
}

#: Metric names that commonly end longer names (``loss`` in ``val_loss``): without a sample,
#: a regex starting with one of these bare gets a soft warning.
_GENERIC_NAMES = {"loss", "acc", "accuracy", "error", "err", "rmse", "mse", "mae", "auc",
                  "f1", "precision", "recall", "logloss", "ndcg", "map", "score", "lr",
                  "perplexity", "ppl", "top1", "top5", "merror", "mlogloss", "iou"}

_SAMPLE_LINES = 300          # candidate lines a sample check looks at, per definition
_SCAN_LINES = 2000           # lines looked at when the regex has no required literal
_BUDGET_SECONDS = 0.5        # time a definition's sample checks may take in all
_LINE_CHARS = 4000           # longer lines are cut before sample checks


@dataclass(frozen=True)
class LintWarning:
    """One probable mistake in a metric definition.

    Attributes
    ----------
    name : str
        The definition's ``Name``.
    code : str
        A key of :data:`LINT_CODES`.
    message : str
        What is wrong and what happens in SageMaker, in one or two sentences.
    suggestion : str or None
        A corrected regex, or None when no mechanical fix exists.
    severity : str
        ``"warning"`` (a mistake, shown by the sample or certain) or ``"info"`` (a risk the
        regex alone suggests; the sample does not show it).
    """

    name: str
    code: str
    message: str
    suggestion: str | None = None
    severity: str = "warning"


# ---------------------------------------------------------------- regex source tokens

@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    kind: str       # literal, escape, class, open, close, quant, anchor, alt, any
    text: str
    capturing: bool = False
    char: str | None = None  # for literal-like tokens: the character it matches

    @property
    def is_literal(self) -> bool:
        return self.char is not None


_QUANT_RE = re.compile(r"(?:[*+?]|\{\d*(?:,\d*)?\})[?+]?")
_ESCAPE_CLASSES = set("dDsSwWbBAZ")


def _tokenize(source: str) -> list[_Token]:
    """Split a Python regex into tokens with their positions (enough for lint, not a parser)."""
    tokens: list[_Token] = []
    i, n = 0, len(source)
    while i < n:
        c = source[i]
        if c == "\\" and i + 1 < n:
            nxt = source[i + 1]
            end = i + 2
            char = None
            if nxt == "x":
                end = i + 4
            elif nxt == "u":
                end = i + 6
            elif nxt == "U":
                end = i + 10
            elif nxt.isdigit():
                while end < n and end < i + 4 and source[end].isdigit():
                    end += 1
            elif nxt not in _ESCAPE_CLASSES and not nxt.isalnum():
                char = nxt
            elif nxt == "t":
                char = "\t"
            tokens.append(_Token(i, end, "escape", source[i:end], char=char))
            i = end
        elif c == "[":
            j = i + 1
            if j < n and source[j] == "^":
                j += 1
            if j < n and source[j] == "]":
                j += 1
            while j < n and source[j] != "]":
                j += 2 if source[j] == "\\" else 1
            end = min(j + 1, n)
            tokens.append(_Token(i, end, "class", source[i:end]))
            i = end
        elif c == "(":
            if source.startswith("(?#", i):
                end = source.find(")", i)
                end = n if end < 0 else end + 1
                tokens.append(_Token(i, end, "comment", source[i:end]))
                i = end
                continue
            m = re.match(r"\((?:\?P<\w+>|\?P=\w+\)|\?[:=!>]|\?<[=!]|\?[aiLmsux-]+[:)]|)", source[i:])
            head = m.group() if m else "("
            capturing = head == "(" or head.startswith("(?P<")
            kind = "open"
            if head.endswith(")"):  # (?P=name) backreference or (?i) flags: no group opened
                kind = "any"
            tokens.append(_Token(i, i + len(head), kind, head, capturing=capturing))
            i += len(head)
        elif c == ")":
            tokens.append(_Token(i, i + 1, "close", c))
            i += 1
        elif c in "*+?{":
            m = _QUANT_RE.match(source, i)
            if m:
                tokens.append(_Token(i, m.end(), "quant", m.group()))
                i = m.end()
            else:
                tokens.append(_Token(i, i + 1, "literal", c, char=c))
                i += 1
        elif c in "^$":
            tokens.append(_Token(i, i + 1, "anchor", c))
            i += 1
        elif c == "|":
            tokens.append(_Token(i, i + 1, "alt", c))
            i += 1
        elif c == ".":
            tokens.append(_Token(i, i + 1, "any", c))
            i += 1
        else:
            tokens.append(_Token(i, i + 1, "literal", c, char=c))
            i += 1
    return tokens


def _group_one(tokens: Sequence[_Token]) -> tuple[int, int] | None:
    """Return token indices (open, close) of capture group 1, or None."""
    depth = 0
    stack: list[tuple[int, bool]] = []
    for k, tok in enumerate(tokens):
        if tok.kind == "open":
            stack.append((k, tok.capturing))
            depth += 1
        elif tok.kind == "close" and stack:
            opened, capturing = stack.pop()
            if capturing and not any(t.capturing and t.kind == "open"
                                     for t in tokens[:opened]):
                return opened, k
    return None


def _quantified(tokens: Sequence[_Token], k: int) -> bool:
    return k + 1 < len(tokens) and tokens[k + 1].kind == "quant"


def _required_literal(tokens: Sequence[_Token]) -> str:
    """The longest run of literal characters outside every group (a line must contain it)."""
    if any(t.kind == "alt" for t in tokens if _depth_of(tokens, t) == 0):
        return ""
    best, run, depth = "", "", 0
    for k, tok in enumerate(tokens):
        if tok.kind == "open":
            depth += 1
        elif tok.kind == "close":
            depth -= 1
        if depth == 0 and tok.is_literal and not _quantified(tokens, k):
            run += tok.char
        else:
            best = max(best, run, key=len)
            run = ""
    return max(best, run, key=len)


def _depth_of(tokens: Sequence[_Token], target: _Token) -> int:
    depth = 0
    for tok in tokens:
        if tok is target:
            return depth
        if tok.kind == "open":
            depth += 1
        elif tok.kind == "close":
            depth -= 1
    return depth


def replace_group_one(regex: str, body: str) -> str | None:
    """Return ``regex`` with capture group 1 (parentheses included) replaced by ``body``."""
    tokens = _tokenize(regex)
    span = _group_one(tokens)
    if span is None:
        return None
    return regex[:tokens[span[0]].start] + body + regex[tokens[span[1]].end:]


# ---------------------------------------------------------------- the sample

class _Sample:
    """The sample's escaped lines, and bounded searches over them."""

    def __init__(self, text: str, escaped: bool = False):
        self.text = text if escaped else escape_text(text)

    def candidates(self, literal: str) -> list[tuple[int, str]]:
        """(1-based number, line) of lines holding ``literal``; the first lines if none.

        Bounded: at most a few hundred lines, found with ``str.find`` (a 10 MB sample costs
        one pass at C speed, not a Python loop over its lines).
        """
        text = self.text
        if not literal:
            lines = text.split("\n", _SCAN_LINES)[:_SCAN_LINES]
            return [(k + 1, line[:_LINE_CHARS]) for k, line in enumerate(lines)]
        out: list[tuple[int, str]] = []
        start = counted_to = 0
        number = 1
        while len(out) < _SAMPLE_LINES:
            pos = text.find(literal, start)
            if pos < 0:
                break
            begin = text.rfind("\n", 0, pos) + 1
            end = text.find("\n", pos)
            end = len(text) if end < 0 else end
            number += text.count("\n", counted_to, begin)
            counted_to = begin
            out.append((number, text[begin:end][:_LINE_CHARS]))
            start = end + 1
        return out


class _Budget:
    """A time budget for one definition's sample checks (a catastrophic regex stops them)."""

    def __init__(self, seconds: float):
        self.deadline = time.monotonic() + seconds
        self.exhausted = False

    def search(self, pattern: str, line: str):
        left = self.deadline - time.monotonic()
        if self.exhausted or left <= 0:
            self.exhausted = True
            return None
        try:
            return _regex.search(pattern, line, timeout=left)
        except TimeoutError:
            self.exhausted = True
            return None
        except _regex.error:
            return None


def _first_hit(budget: _Budget, pattern: str, lines) -> tuple[int, str, object] | None:
    for number, line in lines:
        found = budget.search(pattern, line)
        if found is not None:
            return number, line, found
    return None


def _show(text: str, limit: int = 80) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit - 1] + "…"


# ---------------------------------------------------------------- the checks

def _check_spaces(d, tokens, sample, budget):
    """``Name=`` in the regex where the log writes ``Name = value``."""
    out = []
    positions = []
    for k, tok in enumerate(tokens):
        if tok.is_literal and tok.char == "=" and k > 0:
            prev = tokens[k - 1]
            if (prev.is_literal and (prev.char.isalnum() or prev.char in "_>")
                    and not _quantified(tokens, k)):
                positions.append(k)
    if not positions:
        return out
    fixed = d.regex
    for k in reversed(positions):
        tok = tokens[k]
        fixed = fixed[:tok.start] + r"\s*=\s*" + fixed[tok.end:]
    for k in positions:
        # The literal name before '=': the run of literal word characters ending there.
        j, name = k - 1, ""
        while j >= 0 and tokens[j].is_literal and not _quantified(tokens, j) and (
                tokens[j].char.isalnum() or tokens[j].char in "_:-<>."):
            name = tokens[j].char + name
            j -= 1
        if sample is None:
            out.append(LintWarning(
                d.name, "spaces-around-equals",
                f"the regex has '{name}=' with no room for spaces; a log writing "
                f"'{name} = value' would match nothing", fixed, "info"))
            continue
        candidates = sample.candidates(name)
        tight = [c for c in candidates if f"{name}=" in c[1]]
        spaced = _first_hit(budget, re.escape(name) + r"(?:\s+=\s*|\s*=\s+)",
                            [c for c in candidates if f"{name}=" not in c[1]])
        if spaced is not None:
            number, line, _ = spaced
            out.append(LintWarning(
                d.name, "spaces-around-equals",
                f"line {number} writes '{_show(line[spaced[2].start():spaced[2].end() + 12], 40)}' "
                f"with spaces around '=', but the regex has '{name}=': it matches nothing "
                f"there", fixed))
        elif not tight:
            out.append(LintWarning(
                d.name, "spaces-around-equals",
                f"the regex has '{name}=' with no room for spaces; a log writing "
                f"'{name} = value' would match nothing", fixed, "info"))
    return out[:1]


def _check_tab(d, tokens, sample, budget):
    tabs = [t for t in tokens if (t.kind == "escape" and t.text == r"\t")
            or (t.kind == "literal" and t.char == "\t")]
    in_class = any(t.kind == "class" and ("\\t" in t.text or "\t" in t.text) for t in tokens)
    if not tabs and not in_class:
        return []
    fixed = None
    if tabs:
        fixed = d.regex
        for tok in reversed(tabs):
            fixed = fixed[:tok.start] + "#011" + fixed[tok.end:]
    return [LintWarning(
        d.name, "tab-escape",
        "the regex looks for a tab, but SageMaker escapes control characters: a tab "
        "arrives as '#011', so this never matches; write '#011'", fixed)]


def _check_caret(d, tokens, sample, budget):
    carets = [k for k, t in enumerate(tokens) if t.kind == "anchor" and t.text == "^"]
    if not carets or carets[0] != 0:
        return []
    fixed = r"^\s*" + d.regex[1:] if not d.regex.startswith((r"^\s", "^ ")) else None
    if fixed is None:
        return []
    if sample is None:
        return [LintWarning(
            d.name, "caret-indented",
            "'^' anchors at the very start of the line: an indented line (or one with a "
            "prefix) matches nothing", fixed, "info")]
    candidates = sample.candidates(_required_literal(tokens))
    if _first_hit(budget, d.regex, candidates) is not None:
        return []
    hit = _first_hit(budget, fixed, candidates)
    if hit is None:
        return []
    return [LintWarning(
        d.name, "caret-indented",
        f"line {hit[0]} is indented ({hit[1][:40]!r}), and '^' anchors at the very "
        f"start of the line: the regex matches nothing there", fixed)]


def _group_facts(d, tokens):
    span = _group_one(tokens)
    if span is None:
        return None
    open_k, close_k = span
    body = d.regex[tokens[open_k].end:tokens[close_k].start]
    after = tokens[close_k + 1:]
    try:
        compiled = re.compile(body)
    except re.error:
        return None
    rest = "".join(t.text for t in after if t.kind not in ("close",))
    # Nothing after the group that could stop it: only closing parens, '$' or '.*'.
    open_ended = re.fullmatch(r"(?:\.[*+]\??|\$)*", rest) is not None
    lazy = any(t.kind == "quant" and t.text.endswith("?") and t.text[0] in "*+?{"
               and len(t.text) > 1 for t in tokens[open_k + 1:close_k])
    return {"body": body, "compiled": compiled, "open_ended": open_ended, "lazy": lazy,
            "span": span}


def _check_capture(d, tokens, sample, budget):
    """Lazy group at the end, capture that can take non-numbers, exponent cut off."""
    facts = _group_facts(d, tokens)
    if facts is None:
        return []
    out = []
    fixed = replace_group_one(d.regex, SAFE_NUMBER)
    compiled = facts["compiled"]
    if facts["lazy"] and facts["open_ended"]:
        out.append(LintWarning(
            d.name, "lazy-no-terminator",
            f"the lazy group '({facts['body']})' has nothing after it, so it captures as "
            f"little as it can (the empty string): every match is dropped", fixed))
        return out
    wide = compiled.fullmatch("0.9,") is not None or compiled.fullmatch("abc") is not None
    if wide and facts["open_ended"]:
        message = (f"'({facts['body']})' can take non-numeric text and nothing after it "
                   f"stops it: '0.9,' or '0.9 loss' is not a number, and SageMaker drops it")
        severity = "info"
        if sample is not None:
            bad = _first_drop(d, tokens, sample, budget)
            if bad is not None:
                number, captured = bad
                message = (f"line {number}: the capture is '{_show(captured, 40)}', not a "
                           f"number; SageMaker drops it silently")
                severity = "warning"
        out.append(LintWarning(d.name, "non-numeric-capture", message, fixed, severity))
        return out
    numeric = compiled.fullmatch("0.5") is not None or compiled.fullmatch("12.5") is not None
    if numeric and not wide and compiled.fullmatch("3.44e-05") is None:
        message = (f"'({facts['body']})' cannot take an exponent: on '3.44e-05' it captures "
                   f"'3.44', wrong by a factor of 10^5, silently")
        if sample is not None:
            hit = _exponent_hit(d, tokens, sample, budget)
            if hit is not None:
                number, captured, whole = hit
                message = (f"line {number}: the log has '{whole}', the regex captures "
                           f"'{captured}': the exponent is cut off")
        out.append(LintWarning(d.name, "exponent-cut-off", message, fixed))
    return out


def _first_drop(d, tokens, sample, budget):
    for number, line in sample.candidates(_required_literal(tokens)):
        found = budget.search(d.regex, line)
        if found is None or found.lastindex is None:
            continue
        captured = found.group(1)
        if convert(captured)[1] == "not-a-number":
            return number, captured
    return None


def _exponent_hit(d, tokens, sample, budget):
    for number, line in sample.candidates(_required_literal(tokens)):
        found = budget.search(d.regex, line)
        if found is None or found.lastindex is None or found.group(1) is None:
            continue
        tail = re.match(r"[0-9]*[eE][-+]?[0-9]+", line[found.end(1):])
        if tail:
            return number, found.group(1), found.group(1) + tail.group()
    return None


_BRACKETED = re.compile(r"\s*[(\[{<]\s*([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*[)\]}>]?\s*[,;]?")


def _check_brackets(d, tokens, sample, budget):
    if sample is None:
        return []
    bad = _first_drop(d, tokens, sample, budget)
    if bad is None or not _BRACKETED.fullmatch(bad[1]):
        return []
    fixed = replace_group_one(d.regex, r"[(\[]?" + SAFE_NUMBER)
    return [LintWarning(
        d.name, "value-in-brackets",
        f"line {bad[0]}: the capture is '{_show(bad[1], 40)}', a number in brackets, which "
        f"SageMaker cannot convert; leave the brackets outside the group", fixed)]


def _leading_name(tokens) -> tuple[int, str] | None:
    """Where the regex starts with a bare name (after nothing or '.*'): (token index, name)."""
    k = 0
    if len(tokens) >= 2 and tokens[0].kind == "any" and tokens[1].kind == "quant":
        k = 2
    start, name = k, ""
    while k < len(tokens) and tokens[k].is_literal and (
            tokens[k].char.isalnum() or tokens[k].char == "_") and not _quantified(tokens, k):
        name += tokens[k].char
        k += 1
    if not name:
        return None
    return start, name


def _check_longer_name(d, tokens, sample, budget):
    lead = _leading_name(tokens)
    if lead is None:
        return []
    k, name = lead
    at = tokens[k].start
    fixed = d.regex[:at] + NAME_GUARD + d.regex[at:]
    if sample is None:
        if name.lower() not in _GENERIC_NAMES:
            return []
        return [LintWarning(
            d.name, "matches-longer-name",
            f"'{name}' is also the end of longer names ('val_{name}', 'train-{name}'): the "
            f"regex may take their values too", fixed, "info")]
    # Find a line where the match itself starts inside a longer name.
    probe = r"(?<=[\w-])" + d.regex[at:]
    for number, line in sample.candidates(name):
        found = budget.search(d.regex, line)
        if found is None:
            continue
        inside = budget.search(probe, line)
        first_guarded = budget.search(fixed, line)
        # The regex's (first) match is inside a longer name when the guarded regex would
        # match elsewhere or not at all.
        if inside is not None and (first_guarded is None
                                   or first_guarded.span(0) != found.span(0)):
            word = re.search(r"[\w-]*" + re.escape(name), line[:inside.end()])
            longer = word.group() if word else name
            return [LintWarning(
                d.name, "matches-longer-name",
                f"line {number}: the regex also matches inside '{longer}', a longer name, "
                f"and takes its value", fixed)]
    return []


_CHECKS = (_check_spaces, _check_tab, _check_caret, _check_capture, _check_brackets,
           _check_longer_name)


def lint_definition(definition, sample_text: str | None = None, *, _sample=None
                    ) -> list[LintWarning]:
    """Lint one definition; see :func:`lint_definitions`."""
    d = load_definitions([definition])[0]
    try:
        re.compile(d.regex)
    except re.error:
        return []  # validate_definitions reports it, with the position
    sample = _sample if _sample is not None else (
        _Sample(sample_text) if sample_text is not None else None)
    tokens = _tokenize(d.regex)
    budget = _Budget(_BUDGET_SECONDS)
    warnings: list[LintWarning] = []
    for check in _CHECKS:
        warnings.extend(check(d, tokens, sample, budget))
    if any(w.code == "value-in-brackets" for w in warnings):
        # The bracket warning names the cause of the same drop more precisely.
        warnings = [w for w in warnings if w.code != "non-numeric-capture"]
    return warnings


def lint_definitions(definitions: Iterable | None, sample_text: str | None = None, *,
                     sample_is_escaped: bool = False) -> list[LintWarning]:
    """Find the classic mistakes in metric definitions.

    Parameters
    ----------
    definitions : any shape :func:`metricwidgets.core.definitions.load_definitions` reads
    sample_text : str or None
        Log text to check the regexes against (escaped here as SageMaker escapes it). With
        a sample, warnings cite the line that shows the mistake and risks the sample
        disproves are left out.
    sample_is_escaped : bool
        True when ``sample_text`` already went through SageMaker's escaping (read back from
        CloudWatch Logs, or escaped by the caller): it is not escaped again.

    Returns
    -------
    list of LintWarning
        In definition order. A regex that does not compile gets none (that is an error of
        :func:`~metricwidgets.core.definitions.validate_definitions`). Each definition's
        sample checks stop after about 0.5 s, so a catastrophic regex cannot hang lint.

    Raises
    ------
    DefinitionError
        When ``definitions`` has no shape that can be read.
    """
    sample = _Sample(sample_text, sample_is_escaped) if sample_text is not None else None
    out: list[LintWarning] = []
    for d in load_definitions(definitions):
        out.extend(lint_definition(d, _sample=sample))
    return out
