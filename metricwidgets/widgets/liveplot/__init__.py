"""The live chart: :class:`LivePlot` and its parts.

Charts (bqplot), their axes, ticks, legend, readout, marks and controls, the header, the
findings list, the instances panel and the export, and the view maths only the chart uses
(``_view``: downsampling, smoothing, x modes; ``_ticks``; ``_palette``). No AWS or parsing
logic here: data comes from a :class:`~metricwidgets.polling.Watch`.
"""

from __future__ import annotations

from metricwidgets.widgets.liveplot._axes import (  # noqa: F401
    Axes,
    TICK_TARGET,
    X_LABEL,
    from_date,
    to_dates,
)
from metricwidgets.widgets.liveplot._browser import (  # noqa: F401
    ChartLink,
    FIGURE_VIEW,
    FigureGuard,
    attach_link,
    series_table,
)
from metricwidgets.widgets.liveplot._chart import (  # noqa: F401
    Chart,
    MARKERS_BELOW,
)
from metricwidgets.widgets.liveplot._chart_image import (  # noqa: F401
    chart_image,
    plot_svg,
)
from metricwidgets.widgets.liveplot._chart_marks import (  # noqa: F401
    ChartDiagnoses,
    DIAG_COLOUR,
    draw_nan_marks,
    notes_html,
)
from metricwidgets.widgets.liveplot._controls import (  # noqa: F401
    ChartSettings,
    Controls,
    MANY_CHARTS,
)
from metricwidgets.widgets.liveplot._export import (  # noqa: F401
    Export,
    file_stem,
    safe_filename,
)
from metricwidgets.widgets.liveplot._findings_list import (  # noqa: F401
    FindingsList,
    finding_html,
)
from metricwidgets.widgets.liveplot._header import (  # noqa: F401
    Header,
    format_duration,
    render_header,
)
from metricwidgets.widgets.liveplot._instances_panel import (  # noqa: F401
    InstanceChart,
    InstancesPanel,
)
from metricwidgets.widgets.liveplot._legend import (  # noqa: F401
    LEGEND_WIDTH,
    Legend,
    swatch_svg,
)
from metricwidgets.widgets.liveplot._live_plot import (  # noqa: F401
    LivePlot,
)
from metricwidgets.widgets.liveplot._palette import (  # noqa: F401
    PALETTE,
    Palette,
    ROLE_STYLE,
    shade,
)
from metricwidgets.widgets.liveplot._picture import (  # noqa: F401
    PICTURE_INTERVAL,
    PLOT_MIMETYPE,
    StaticPicture,
    WIDGET_VIEW,
    picture_of,
)
from metricwidgets.widgets.liveplot._readout import (  # noqa: F401
    ReadoutRow,
    nearest_rows,
    readout_html,
)
from metricwidgets.widgets.liveplot._throttle import (  # noqa: F401
    Throttle,
)
from metricwidgets.widgets.liveplot._ticks import (  # noqa: F401
    TIME_STEPS,
    Ticks,
    duration_ticks,
    js_number_key,
    linear_ticks,
    log_ticks,
    ticks_for,
    time_ticks,
)
from metricwidgets.widgets.liveplot._mark_points import MarkPoints, mark_points  # noqa: F401
from metricwidgets.widgets.liveplot._view import (  # noqa: F401
    DEFAULT_SMOOTHING,
    MAX_SMOOTHING,
    SeriesCache,
    SeriesView,
    X_MODES,
    downsample_indices,
    ema,
    log_safe,
    points_for_width,
    series_view,
    visible_bounds,
    x_values,
    y_range,
)
from metricwidgets.widgets.liveplot._watched_values import (  # noqa: F401
    best_source,
    has_steps,
    time_origin,
    values_are,
)

__all__ = [
    "Axes",
    "Chart",
    "ChartDiagnoses",
    "ChartLink",
    "ChartSettings",
    "Controls",
    "DEFAULT_SMOOTHING",
    "DIAG_COLOUR",
    "Export",
    "FIGURE_VIEW",
    "FigureGuard",
    "FindingsList",
    "Header",
    "InstanceChart",
    "InstancesPanel",
    "LEGEND_WIDTH",
    "Legend",
    "LivePlot",
    "MANY_CHARTS",
    "MARKERS_BELOW",
    "MAX_SMOOTHING",
    "MarkPoints",
    "PALETTE",
    "PICTURE_INTERVAL",
    "PLOT_MIMETYPE",
    "Palette",
    "ROLE_STYLE",
    "ReadoutRow",
    "SeriesCache",
    "SeriesView",
    "StaticPicture",
    "TICK_TARGET",
    "TIME_STEPS",
    "Throttle",
    "Ticks",
    "WIDGET_VIEW",
    "X_LABEL",
    "X_MODES",
    "best_source",
    "attach_link",
    "chart_image",
    "downsample_indices",
    "draw_nan_marks",
    "duration_ticks",
    "ema",
    "file_stem",
    "finding_html",
    "format_duration",
    "from_date",
    "has_steps",
    "js_number_key",
    "linear_ticks",
    "log_safe",
    "log_ticks",
    "mark_points",
    "nearest_rows",
    "notes_html",
    "picture_of",
    "plot_svg",
    "points_for_width",
    "readout_html",
    "render_header",
    "safe_filename",
    "series_table",
    "series_view",
    "shade",
    "swatch_svg",
    "ticks_for",
    "time_origin",
    "time_ticks",
    "to_dates",
    "values_are",
    "visible_bounds",
    "x_values",
    "y_range",
]
