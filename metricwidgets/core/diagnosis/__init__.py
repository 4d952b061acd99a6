"""Diagnosis: what the metrics (and the instances) say about a run.

The detectors (overfitting, divergence, non-finite values, plateau) on the series' own noise,
a stall from the log's own timestamps,
the :class:`Finding` they produce, utilization findings and the instance types they need, and
:func:`diagnose` for a plot, a store or a DataFrame. Imports no widget or AWS code.
"""

from __future__ import annotations

from metricwidgets.core.diagnosis._detectors import (  # noqa: F401
    SeriesData,
    detect_divergence,
    detect_nonfinite,
    detect_overfitting,
    detect_plateau,
    diagnose_group,
    overfitting_history,
)
from metricwidgets.core.diagnosis._findings import (  # noqa: F401
    Diagnosis,
    Finding,
    SEVERITIES,
    about_instance,
    has_errors,
    labelled,
    merge_findings,
)
from metricwidgets.core.diagnosis._inputs import (  # noqa: F401
    diagnose,
    diagnose_frame,
    diagnose_series,
    diagnose_store,
    series_data,
    snapshot_stalls,
)
from metricwidgets.core.diagnosis._instance_types import (  # noqa: F401
    Devices,
    LABELS,
    SUMMED_OVER,
    UTILIZATION_METRICS,
    devices_of,
)
from metricwidgets.core.diagnosis._noise import (  # noqa: F401
    PrefixStats,
    level_at,
    noise_scale,
    running_median,
)
from metricwidgets.core.diagnosis._stall import (  # noqa: F401
    detect_silence,
    detect_slowdown,
    paces,
    stall_findings,
)
from metricwidgets.core.diagnosis._numbers import (  # noqa: F401
    plain_number,
)
from metricwidgets.core.diagnosis._utilization_findings import (  # noqa: F401
    DISK_FULL,
    IDLE_GPU,
    MEMORY_FULL,
    store_findings,
    training_window,
    utilization_findings,
)
from metricwidgets.core.diagnosis._window_ranks import (  # noqa: F401
    window_ranks,
)

__all__ = [
    "DISK_FULL",
    "Devices",
    "Diagnosis",
    "Finding",
    "IDLE_GPU",
    "LABELS",
    "MEMORY_FULL",
    "PrefixStats",
    "SEVERITIES",
    "SUMMED_OVER",
    "SeriesData",
    "UTILIZATION_METRICS",
    "about_instance",
    "detect_divergence",
    "detect_nonfinite",
    "detect_overfitting",
    "detect_plateau",
    "detect_silence",
    "detect_slowdown",
    "devices_of",
    "diagnose",
    "diagnose_frame",
    "diagnose_group",
    "diagnose_series",
    "diagnose_store",
    "has_errors",
    "labelled",
    "level_at",
    "merge_findings",
    "noise_scale",
    "overfitting_history",
    "paces",
    "plain_number",
    "running_median",
    "series_data",
    "snapshot_stalls",
    "stall_findings",
    "store_findings",
    "training_window",
    "utilization_findings",
    "window_ranks",
]
