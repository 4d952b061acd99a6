"""Authoring: helping a user write metric definitions before a job runs.

Lint of the classic regex mistakes (on the definition and against a sample), the regex
tokens they are found in, definitions suggested from log text, and the sample report the
playground draws. Reads :mod:`metricwidgets.core.parsing`; imports no widget or AWS code.
"""

from __future__ import annotations

from metricwidgets.core.authoring._lint import (  # noqa: F401
    LINT_CODES,
    LintWarning,
    NAME_GUARD,
    SAFE_NUMBER,
    lint_definition,
    lint_definitions,
)
from metricwidgets.core.authoring._lint_sample import (  # noqa: F401
    Budget,
    LINE_CHARS,
    SAMPLE_LINES,
    SCAN_LINES,
    Sample,
    first_hit,
    show,
)
from metricwidgets.core.authoring._regex_tokens import (  # noqa: F401
    Token,
    group_one,
    quantified,
    replace_group_one,
    tokenize,
)
from metricwidgets.core.authoring._sample_report import (  # noqa: F401
    DETAIL_ROWS,
    DefinitionReport,
    ReportRow,
    SHOWN_LINES,
    SampleReport,
    UnmatchedLine,
    build_report,
)
from metricwidgets.core.authoring._suggest import (  # noqa: F401
    MAX_SUGGESTIONS,
    metric_occurrences,
    suggest_definitions,
)

__all__ = [
    "Budget",
    "DETAIL_ROWS",
    "DefinitionReport",
    "LINE_CHARS",
    "LINT_CODES",
    "LintWarning",
    "MAX_SUGGESTIONS",
    "NAME_GUARD",
    "ReportRow",
    "SAFE_NUMBER",
    "SAMPLE_LINES",
    "SCAN_LINES",
    "SHOWN_LINES",
    "Sample",
    "SampleReport",
    "Token",
    "UnmatchedLine",
    "build_report",
    "first_hit",
    "group_one",
    "lint_definition",
    "lint_definitions",
    "metric_occurrences",
    "quantified",
    "replace_group_one",
    "show",
    "suggest_definitions",
    "tokenize",
]
