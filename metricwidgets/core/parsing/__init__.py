"""Parsing: SageMaker's metric definitions and its exact rules for reading a log.

Definitions and their validation, the escaping of control characters, value conversion,
regex analysis and the guard against catastrophic backtracking, the line-local and chunked
search, and the incremental :class:`LogParser` with its results. Imports no widget or AWS code.
"""

from __future__ import annotations

from metricwidgets.core.parsing._chunk_search import (  # noqa: F401
    Chunk,
    Clock,
    DefinitionSearch,
    LONG_LINE,
    MAX_LINE,
    Matches,
    SLICE_CHARS,
    SLOW_SECONDS,
    line_limit,
)
from metricwidgets.core.parsing._definitions import (  # noqa: F401
    DefinitionError,
    DefinitionWarning,
    MAX_DEFINITIONS,
    MetricDefinition,
    NAME_MAX_LENGTH,
    REGEX_MAX_LENGTH,
    definitions_from_job,
    definitions_to_json,
    definitions_to_sagemaker,
    load_definitions,
    parse_pair,
    validate_definitions,
)
from metricwidgets.core.parsing._escaping import (  # noqa: F401
    ANSI_RE,
    CONTROL_RE,
    escape_line,
    escape_text,
    strip_ansi,
)
from metricwidgets.core.parsing._line_local import (  # noqa: F401
    LineLocal,
    line_local,
)
from metricwidgets.core.parsing._parser import (  # noqa: F401
    LogParser,
    chunk_budget,
    cut_message,
    log_text_error,
    parse_log,
    refuse_invalid,
    split_problems,
)
from metricwidgets.core.parsing._parallel import (  # noqa: F401
    PARALLEL_MIN_BYTES,
    ParallelParse,
    cpus,
    line_ranges,
)
from metricwidgets.core.parsing._prefilter import (  # noqa: F401
    Prefilter,
    prefilter_for,
    prefilter_union,
)
from metricwidgets.core.parsing._regex_analysis import (  # noqa: F401
    EXPONENT,
    NUMBER,
    NUMBER_GROUP,
    REPEATS,
    SubPattern,
    backtracking_degree,
    children,
    compile_parsed,
    parse,
    required_literal,
)
from metricwidgets.core.parsing._regex_guard import (  # noqa: F401
    DEFAULT_TIMEOUT,
    GuardedPattern,
    RegexTimeout,
    budget_message,
    disabled_message,
    is_risky,
)
from metricwidgets.core.parsing._results import (  # noqa: F401
    DefinitionStats,
    Drop,
    MARKED_REASONS,
    ParseResult,
)
from metricwidgets.core.parsing._values import (  # noqa: F401
    DROP_REASONS,
    NUMBER_RE,
    convert,
)

__all__ = [
    "ANSI_RE",
    "CONTROL_RE",
    "Chunk",
    "Clock",
    "DEFAULT_TIMEOUT",
    "DROP_REASONS",
    "DefinitionError",
    "DefinitionSearch",
    "DefinitionStats",
    "DefinitionWarning",
    "Drop",
    "EXPONENT",
    "GuardedPattern",
    "LONG_LINE",
    "LineLocal",
    "LogParser",
    "MARKED_REASONS",
    "MAX_DEFINITIONS",
    "MAX_LINE",
    "Matches",
    "MetricDefinition",
    "NAME_MAX_LENGTH",
    "NUMBER",
    "NUMBER_GROUP",
    "NUMBER_RE",
    "PARALLEL_MIN_BYTES",
    "ParallelParse",
    "ParseResult",
    "Prefilter",
    "REGEX_MAX_LENGTH",
    "REPEATS",
    "RegexTimeout",
    "SLICE_CHARS",
    "SLOW_SECONDS",
    "SubPattern",
    "backtracking_degree",
    "budget_message",
    "children",
    "chunk_budget",
    "compile_parsed",
    "convert",
    "cpus",
    "cut_message",
    "definitions_from_job",
    "definitions_to_json",
    "definitions_to_sagemaker",
    "disabled_message",
    "escape_line",
    "escape_text",
    "is_risky",
    "line_limit",
    "line_local",
    "line_ranges",
    "load_definitions",
    "log_text_error",
    "parse",
    "parse_log",
    "parse_pair",
    "prefilter_for",
    "prefilter_union",
    "refuse_invalid",
    "required_literal",
    "split_problems",
    "strip_ansi",
    "validate_definitions",
]
