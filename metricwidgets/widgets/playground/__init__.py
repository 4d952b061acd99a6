"""The regex playground: :class:`RegexPlayground` and its parts.

The definition rows, the suggestion buttons, the sample loaders and the HTML the report is
drawn with. The report itself is computed by :mod:`metricwidgets.core.authoring`.
"""

from __future__ import annotations

from metricwidgets.widgets.playground._html import (  # noqa: F401
    TABLE_ROWS,
    colour,
    count_text,
    esc,
    json_export,
    python_export,
    render_definition,
    render_export,
    render_limits,
    render_report,
    render_row_status,
    render_sample,
    sparkline_svg,
)
from metricwidgets.widgets.playground._loaders import (  # noqa: F401
    MAX_SAMPLE_BYTES,
    SampleLoader,
    read_file,
    read_job,
    run_command,
)
from metricwidgets.widgets.playground._playground import (  # noqa: F401
    DEBOUNCE_SECONDS,
    EDITABLE_CHARS,
    RegexPlayground,
)
from metricwidgets.widgets.playground._rows import (  # noqa: F401
    DefinitionRow,
    DefinitionRows,
    ImportBox,
)
from metricwidgets.widgets.playground._suggestion_buttons import (  # noqa: F401
    SuggestionsBox,
)

__all__ = [
    "DEBOUNCE_SECONDS",
    "DefinitionRow",
    "DefinitionRows",
    "EDITABLE_CHARS",
    "ImportBox",
    "MAX_SAMPLE_BYTES",
    "RegexPlayground",
    "SampleLoader",
    "SuggestionsBox",
    "TABLE_ROWS",
    "colour",
    "count_text",
    "esc",
    "json_export",
    "python_export",
    "read_file",
    "read_job",
    "render_definition",
    "render_export",
    "render_limits",
    "render_report",
    "render_row_status",
    "render_sample",
    "run_command",
    "sparkline_svg",
]
