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
``same-regex``             two names, one regex: both series get the same values
=========================  ============================================================

Sample checks run with the ``regex`` module's timeout and a budget per definition, so a
catastrophic regex makes lint skip its sample checks instead of hanging.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from metricwidgets.core.parsing import DefinitionError, load_definitions
from metricwidgets.core.authoring._lint_sample import Budget, Sample, first_hit, show
from metricwidgets.core.parsing import (
    EXPONENT,
    NUMBER,
    NUMBER_GROUP,
    required_literal,
)
from metricwidgets.core.authoring._regex_tokens import (
    group_one,
    quantified,
    replace_group_one,
    tokenize,
)
from metricwidgets.core.parsing import convert

__all__ = [
    "LINT_CODES",
    "NAME_GUARD",
    "SAFE_NUMBER",
    "LintWarning",
    "lint_definition",
    "lint_definitions",
    "replace_group_one",
]

#: A capture group SageMaker converts to a number whatever its notation (exponents kept).
SAFE_NUMBER = NUMBER_GROUP
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
    "same-regex": "same regex as another definition",
}

#: Metric names that commonly end longer names (``loss`` in ``val_loss``): without a sample,
#: a regex starting with one of these bare gets a soft warning.
_GENERIC_NAMES = {"loss", "acc", "accuracy", "error", "err", "rmse", "mse", "mae", "auc",
                  "f1", "precision", "recall", "logloss", "ndcg", "map", "score", "lr",
                  "perplexity", "ppl", "top1", "top5", "merror", "mlogloss", "iou"}

_BUDGET_SECONDS = 0.5        # time a definition's sample checks may take in all


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


# ---------------------------------------------------------------- the checks

def _tight_equals(tokens) -> list[int]:
    """Indexes of '=' tokens right after a literal name character (``loss=``)."""
    positions = []
    for k, tok in enumerate(tokens):
        if not (tok.is_literal and tok.char == "=" and k > 0) or quantified(tokens, k):
            continue
        prev = tokens[k - 1]
        if prev.is_literal and (prev.char.isalnum() or prev.char in "_>"):
            positions.append(k)
    return positions


def _name_before(tokens, k: int) -> str:
    """The literal name before token ``k``: the run of literal name characters ending there."""
    j, name = k - 1, ""
    while j >= 0 and tokens[j].is_literal and not quantified(tokens, j) and (
            tokens[j].char.isalnum() or tokens[j].char in "_:-<>."):
        name = tokens[j].char + name
        j -= 1
    return name


def _spaces_at(d, name: str, fixed: str, sample, budget) -> LintWarning | None:
    """The warning for ``name=`` in the regex, from the sample when there is one."""
    hint = LintWarning(
        d.name, "spaces-around-equals",
        f"the regex has '{name}=' with no room for spaces; a log writing "
        f"'{name} = value' would match nothing", fixed, "info")
    if sample is None:
        return hint
    candidates = sample.candidates(name)
    tight = [c for c in candidates if f"{name}=" in c[1]]
    spaced = first_hit(budget, re.escape(name) + r"(?:\s+=\s*|\s*=\s+)",
                       [c for c in candidates if f"{name}=" not in c[1]])
    if spaced is not None:
        number, line, found = spaced
        return LintWarning(
            d.name, "spaces-around-equals",
            f"line {number} writes '{show(line[found.start():found.end() + 12], 40)}' "
            f"with spaces around '=', but the regex has '{name}=': it matches nothing "
            f"there", fixed)
    return None if tight else hint


def _check_spaces(d, tokens, sample, budget):
    """``Name=`` in the regex where the log writes ``Name = value``."""
    positions = _tight_equals(tokens)
    fixed = d.regex
    for k in reversed(positions):
        fixed = fixed[:tokens[k].start] + r"\s*=\s*" + fixed[tokens[k].end:]
    for k in positions:
        warning = _spaces_at(d, _name_before(tokens, k), fixed, sample, budget)
        if warning is not None:
            return [warning]
    return []


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
    candidates = sample.candidates(required_literal(d.regex))
    if first_hit(budget, d.regex, candidates) is not None:
        return []
    hit = first_hit(budget, fixed, candidates)
    if hit is None:
        return []
    return [LintWarning(
        d.name, "caret-indented",
        f"line {hit[0]} is indented ({hit[1][:40]!r}), and '^' anchors at the very "
        f"start of the line: the regex matches nothing there", fixed)]


def _group_facts(d, tokens):
    span = group_one(tokens)
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
                message = (f"line {number}: the capture is '{show(captured, 40)}', not a "
                           f"number; SageMaker drops it silently")
                severity = "warning"
        out.append(LintWarning(d.name, "non-numeric-capture", message, fixed, severity))
        return out
    numeric = compiled.fullmatch("0.5") is not None or compiled.fullmatch("12.5") is not None
    if numeric and not wide and compiled.fullmatch("3.44e-05") is None:
        out.append(_exponent_warning(d, facts["body"], fixed, tokens, sample, budget))
    return out


def _exponent_warning(d, body, fixed, tokens, sample, budget) -> LintWarning:
    """A warning when the sample shows an exponent where the capture stops, else a hint.

    Integer counts and values printed with fixed decimals never carry an exponent: only the
    log can tell whether this regex loses one.
    """
    hit = _exponent_hit(d, tokens, sample, budget) if sample is not None else None
    if hit is not None:
        number, captured, whole = hit
        return LintWarning(d.name, "exponent-cut-off",
                           f"line {number}: the log has '{whole}', the regex captures "
                           f"'{captured}': the exponent is cut off", fixed)
    seen = " (the sample shows no exponent)" if sample is not None else ""
    return LintWarning(d.name, "exponent-cut-off",
                       f"'({body})' cannot take an exponent: a value printed as '3.44e-05' "
                       f"would be captured as '3.44', wrong by a factor of 10^5{seen}",
                       fixed, "info")


def _first_drop(d, tokens, sample, budget):
    for number, line in sample.candidates(required_literal(d.regex)):
        found = budget.search(d.regex, line)
        if found is None or found.lastindex is None:
            continue
        captured = found.group(1)
        if convert(captured)[1] == "not-a-number":
            return number, captured
    return None


def _exponent_hit(d, tokens, sample, budget):
    for number, line in sample.candidates(required_literal(d.regex)):
        found = budget.search(d.regex, line)
        if found is None or found.lastindex is None or found.group(1) is None:
            continue
        tail = _EXPONENT_TAIL.match(line, found.end(1))
        if tail:
            return number, found.group(1), found.group(1) + tail.group()
    return None


_BRACKETED = re.compile(rf"\s*[(\[{{<]\s*({NUMBER})\s*[)\]}}>]?\s*[,;]?")
#: The rest of a number where a capture stopped too early: more digits, then an exponent.
_EXPONENT_TAIL = re.compile(rf"\d*{EXPONENT}")


def _check_brackets(d, tokens, sample, budget):
    if sample is None:
        return []
    bad = _first_drop(d, tokens, sample, budget)
    if bad is None or not _BRACKETED.fullmatch(bad[1]):
        return []
    fixed = replace_group_one(d.regex, r"[(\[]?" + SAFE_NUMBER)
    return [LintWarning(
        d.name, "value-in-brackets",
        f"line {bad[0]}: the capture is '{show(bad[1], 40)}', a number in brackets, which "
        f"SageMaker cannot convert; leave the brackets outside the group", fixed)]


def _leading_name(tokens) -> tuple[int, str] | None:
    """Where the regex starts with a bare name (after nothing or '.*'): (token index, name)."""
    k = 0
    if len(tokens) >= 2 and tokens[0].kind == "any" and tokens[1].kind == "quant":
        k = 2
    start, name = k, ""
    while k < len(tokens) and tokens[k].is_literal and (
            tokens[k].char.isalnum() or tokens[k].char == "_") and not quantified(tokens, k):
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
        d.compile()
    except DefinitionError:
        return []  # validate_definitions reports it, with the position
    sample = _sample if _sample is not None else (
        Sample(sample_text) if sample_text is not None else None)
    tokens = tokenize(d.regex)
    budget = Budget(_BUDGET_SECONDS)
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
    definitions : any shape :func:`metricwidgets.core.parsing.load_definitions` reads
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
        :func:`~metricwidgets.core.parsing.validate_definitions`). Each definition's
        sample checks stop after about 0.5 s, so a catastrophic regex cannot hang lint.

    Raises
    ------
    DefinitionError
        When ``definitions`` has no shape that can be read.
    """
    sample = Sample(sample_text, sample_is_escaped) if sample_text is not None else None
    out: list[LintWarning] = []
    first_with: dict[str, str] = {}
    for d in load_definitions(definitions):
        out.extend(lint_definition(d, _sample=sample))
        if d.regex in first_with and first_with[d.regex] != d.name:
            out.append(LintWarning(
                d.name, "same-regex",
                f"the regex is the same as {first_with[d.regex]!r}'s: both series get the "
                f"same values (a copied definition whose regex was not changed?)"))
        first_with.setdefault(d.regex, d.name)
    return out
