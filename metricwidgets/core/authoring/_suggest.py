"""Propose metric definitions from what looks like metrics in a sample of log text.

Recognised shapes (checked on real framework output, after SageMaker's escaping):

==========================  =====================================================================
shape                       example line
==========================  =====================================================================
``name=value``              ``Train_error=0.138318;  Valid_error = 0.324557;``
``name: value``             ``Train Epoch: 1 ... Loss: 2.3`` / Keras ``- loss: 0.31 - val_loss: 0.29``
``'name': value`` dicts     Hugging Face ``{'loss': 0.69, 'learning_rate': 3.44e-05, 'epoch': 0.5}``
XGBoost ``#011name:value``  ``[12]#011train-rmse:0.31#011validation-rmse:0.35``
linear-learner              ``#quality_metric: host=algo-1, epoch=0, train ..._objective <loss>=0.48``
==========================  =====================================================================

Every proposed regex is SageMaker-safe: the value group is
:data:`~metricwidgets.core.parsing.NUMBER_GROUP`
(exponents and signs kept), the name is anchored so that ``loss`` does not match inside
``val_loss``, and each proposal is verified with the parser to capture numbers on the sample
before it is returned.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from metricwidgets.core.parsing import MAX_DEFINITIONS, MetricDefinition
from metricwidgets.core.parsing import escape_text
from metricwidgets.core.authoring._lint import NAME_GUARD
from metricwidgets.core.parsing import LogParser
from metricwidgets.core.parsing import NUMBER, NUMBER_GROUP

__all__ = ["MAX_SUGGESTIONS", "metric_occurrences", "suggest_definitions"]

#: At most this many proposals (SageMaker's limit of definitions per job).
MAX_SUGGESTIONS = MAX_DEFINITIONS
#: Lines of the sample looked at (the first ones; metrics show up early in any log).
_MAX_LINES = 20_000

# A number as it stands in a log, not followed by more of a word, a version, a time or a ratio.
_NUM = rf"(?P<value>{NUMBER})(?![\w.:/])"
_NAME = r"[A-Za-z_][\w.\-]*[A-Za-z0-9_]|[A-Za-z]"


def _escape(name: str) -> str:
    """Escape only what is special outside a character class (``train-rmse`` stays readable)."""
    return re.sub(r"([.^$*+?{}\[\]\\|()])", r"\\\1", name)


def _anchored(name: str) -> str:
    return NAME_GUARD + _escape(name)


# Each shape: (pattern finding candidates, how a match becomes (Name, Regex)).
def _linear_learner(m: re.Match) -> tuple[str, str]:
    dataset, metric, kind = m.group("set"), m.group("metric"), m.group("kind")
    regex = (r"#quality_metric: host=\S+,(?: epoch=\S+,)?(?: batch=\S+,?)? "
             + _escape(dataset) + " " + _escape(metric) + " <" + _escape(kind) + ">="
             + NUMBER_GROUP)
    return f"{dataset}:{metric}", regex


def _xgboost(m: re.Match) -> tuple[str, str]:
    name = m.group("name")
    # SageMaker's own naming for XGBoost's "train-rmse" is "train:rmse".
    sagemaker_name = re.sub(r"^(train|validation|test|eval)-", r"\1:", name)
    return sagemaker_name, "#011" + _escape(name) + r":\s*" + NUMBER_GROUP


def _quoted(m: re.Match) -> tuple[str, str]:
    q, name = m.group("q"), m.group("name")
    return name, q + _escape(name) + q + r":\s*" + NUMBER_GROUP


def _equals(m: re.Match) -> tuple[str, str]:
    name = m.group("name")
    return name, _anchored(name) + r"\s*=\s*" + NUMBER_GROUP


def _colon(m: re.Match) -> tuple[str, str]:
    name = m.group("name")
    return name, _anchored(name) + r":\s*" + NUMBER_GROUP


_EQUALS = re.compile(r"(?<![\w\-<./])(?P<name>" + _NAME + r")\s*=\s*" + _NUM)
_SHAPES: list[tuple[re.Pattern[str], Callable[[re.Match], tuple[str, str]]]] = [
    (re.compile(r"#quality_metric: host=\S+,(?: epoch=\S+,)?(?: batch=\S+,?)? (?P<set>\w+) "
                r"(?P<metric>\S+) <(?P<kind>\w+)>=" + _NUM), _linear_learner),
    (re.compile(r"#011(?P<name>" + _NAME + r"):\s*" + _NUM), _xgboost),
    (re.compile(r"(?P<q>['\"])(?P<name>" + _NAME + r")(?P=q):\s*" + _NUM), _quoted),
    (_EQUALS, _equals),
    (re.compile(r"(?<![\w\-'\"#./])(?P<name>" + _NAME + r"):\s*" + _NUM), _colon),
]

#: Names that are not metrics although they carry a number.
_NOT_METRICS = {"host", "pid", "port", "rank", "local_rank", "world_size", "seed", "version",
                "worker", "gpu", "device", "id", "num_workers", "thread", "line", "http", "https"}


#: SageMaker built-in algorithms' own JSON records (timings, record counts), not metrics.
_RECORD_LINE = "#metrics {"
#: ``Num examples = 25000``: a setting printed as a multi-word label with an integer.
_SETTING = re.compile(r"[A-Za-z]+ $")


def _is_setting(line: str, m: re.Match) -> bool:
    return (m.re is _EQUALS and " =" in m.group() and "." not in m.group("value")
            and _SETTING.search(line, 0, m.start()) is not None)


def _occurrences(line: str):
    """Yield ``(name, regex, match)`` for each metric-looking ``name value`` in ``line``."""
    if _RECORD_LINE in line:
        return
    taken: list[tuple[int, int]] = []
    for pattern, build in _SHAPES:
        for m in pattern.finditer(line):
            # A span already explained by an earlier (more specific) shape is not
            # proposed again: `<loss>=0.48` of linear-learner is not also `loss=`.
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            taken.append(m.span())
            name, regex = build(m)
            if name.lower() not in _NOT_METRICS and not _is_setting(line, m):
                yield name, regex, m


def metric_occurrences(line: str) -> list[tuple[str, tuple[int, int]]]:
    """What looks like a metric in one escaped line: ``[(name, (start, end) of the value)]``.

    The value span is where a definition's group 1 would have to be to take it.
    """
    return [(name, m.span("value")) for name, _, m in _occurrences(line)]


def _candidates(lines: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in lines:
        if len(found) >= 4 * MAX_SUGGESTIONS:
            break
        for name, regex, _ in _occurrences(line):
            if name not in found:
                found[name] = regex
    return found


def _verified(candidates: dict[str, str], text: str) -> list[dict[str, str]]:
    """Keep the proposals the parser turns into points on the sample (and no drops)."""
    definitions = [MetricDefinition(name, regex) for name, regex in candidates.items()]
    if not definitions:
        return []
    parser = _parser(definitions)
    parser.feed(text)
    parser.finish()
    return [d.to_sagemaker() for d, stats in zip(definitions, parser.stats)
            if stats.points > 0 and not stats.dropped.get("not-a-number")]


def _parser(definitions):
    # Text given here is local text: the parser escapes it as SageMaker would.
    return LogParser(definitions, escape=False)


def suggest_definitions(text: str) -> list[dict[str, str]]:
    """Propose metric definitions for what looks like metrics in ``text``.

    Parameters
    ----------
    text : str
        A sample of log output as the program wrote it (tabs and all); SageMaker's
        escaping is applied here. Only the first 20,000 lines are looked at.

    Returns
    -------
    list of dict
        ``[{"Name": ..., "Regex": ...}]`` in order of first appearance, names unique, at most
        :data:`MAX_SUGGESTIONS`. Each regex captures a number on at least one line of the
        sample and keeps exponents; ``loss`` is anchored so it does not match ``val_loss``.
        Empty when nothing looks like a metric. Never raises on any text.
    """
    if not text:
        return []
    escaped = escape_text(text)
    lines = escaped.split("\n", _MAX_LINES)[:_MAX_LINES]
    candidates = _candidates(lines)
    return _verified(candidates, "\n".join(lines))[:MAX_SUGGESTIONS]
