"""``--format json`` keeps a missing value apart from NaN and the infinities."""

from __future__ import annotations

import io
import json
import math

import numpy as np
import pandas as pd

from metricwidgets.cli.output import json_number, write_frame


def test_json_writes_nan_and_infinities_as_strings_and_missing_as_null():
    frame = pd.DataFrame({"value": [math.nan, math.inf, -math.inf, 1.5],
                          "step": [math.nan, 1.0, 2.0, 3.0],
                          "host": ["a", None, "b", "c"]})
    out = io.StringIO()
    write_frame(frame, "json", out, value_columns=("value",))
    rows = json.loads(out.getvalue())  # strict JSON: Python's reader would take NaN too
    assert "NaN," not in out.getvalue() and "Infinity," not in out.getvalue()
    assert [r["value"] for r in rows] == ["NaN", "Infinity", "-Infinity", 1.5]
    assert [r["step"] for r in rows] == [None, 1.0, 2.0, 3.0]  # NaN outside value: missing
    assert [r["host"] for r in rows] == ["a", None, "b", "c"]
    # The strings read back as the numbers they stand for.
    assert math.isnan(float(rows[0]["value"])) and float(rows[1]["value"]) == math.inf


def test_json_number_takes_numpy_and_pandas_missing_values():
    assert json_number(np.float32(np.inf)) == "Infinity"
    assert json_number(np.int64(3)) == 3 and type(json_number(np.int64(3))) is int
    assert json_number(pd.NaT) is None and json_number(pd.NA) is None
    assert json_number(math.nan, missing=True) is None
