"""``fetch_jobs_metrics`` and ``metricwidgets fetch --name-contains`` on the stand-in.

Jobs are listed through ``Search`` and their logs scanned through ``FilterLogEvents``, both
answered by the stand-in as AWS documents them. The expected points are computed here from
the lines written, with the reference parser (SageMaker's rules the slow, obvious way).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
import time

import pandas as pd
import pytest

import metricwidgets
from metricwidgets.errors import AWSError
from metricwidgets.options import MetricOptions
from metricwidgets.polling.backfill import Backfill
from metricwidgets.testing.moto_search import add_jobs
from metricwidgets.testing.reference import ReferenceParser
from tests.waiting import wait_until

pytestmark = pytest.mark.aws

DEFINITIONS = [{"Name": "f1", "Regex": r"eval_f1=([0-9.]+)"},
               {"Name": "loss", "Regex": r"#011loss: ([0-9.]+)"}]


def _lines(job_index: int, host_index: int) -> list[str]:
    out = []
    for i in range(300):
        if i % 50 == 7:
            out.append(f"[{i}] eval_f1={(job_index + host_index + i) / 1000}")
        elif i % 20 == 3:
            out.append(f"[{i}]\tloss: {i / 7:.4f}")  # escaped to #011 by the stand-in
        else:
            out.append(f"[{i}] step {i} lr=0.001 throughput=123.4 imgs/s")
    return out


@pytest.fixture(scope="module")
def backfill_jobs(standin):
    prefix = f"backfill-{int(time.time())}"
    now = dt.datetime.now(dt.timezone.utc)
    names = [f"{prefix}-{i}" for i in range(5)]
    add_jobs(standin, [{"name": n, "status": "Completed", "created": now - dt.timedelta(hours=1),
                        "duration_s": 60, "billable_s": 60, "hyperparameters": {},
                        "final": {}} for n in names])
    written = {}
    start = time.time() - 600
    for j, name in enumerate(names):
        for h in (1, 2):
            lines = _lines(j, h)
            standin.write_logs(name, f"algo-{h}", lines, [start + k for k in range(len(lines))])
            written[(name, f"algo-{h}")] = (lines, start)
    return prefix, names, written


def _expected(written) -> pd.DataFrame:
    rows = []
    definitions = metricwidgets.load_definitions(DEFINITIONS)
    names = [d.name for d in definitions]
    for (job, host), (lines, start) in written.items():
        counts: dict[str, int] = {}
        for k, line in enumerate(lines):
            for metric, _, value, _, _ in ReferenceParser(definitions).feed(line + "\n").rows():
                name = names[metric]
                rows.append((job, host, name, value, float(counts.get(name, 0)),
                             pd.Timestamp(start + k, unit="s", tz="UTC")))
                counts[name] = counts.get(name, 0) + 1
    return pd.DataFrame(rows, columns=["job", "host", "metric", "value", "step", "timestamp"])


def _key(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame["timestamp"] = frame["timestamp"].dt.floor("s")
    return frame.sort_values(["job", "host", "metric", "step"]).reset_index(drop=True)[
        ["job", "host", "metric", "value", "step", "timestamp"]]


def test_many_jobs_are_backfilled_with_only_candidate_lines_sent(backfill_jobs, calls):
    prefix, names, written = backfill_jobs
    frame = metricwidgets.fetch_jobs_metrics(name_contains=prefix,
                                             metric_definitions=DEFINITIONS, **calls.aws)
    assert list(frame.columns) == ["job", "timestamp", "host", "metric", "value", "step"]
    pd.testing.assert_frame_equal(_key(frame), _key(_expected(written)), check_exact=True)
    assert calls.count("FilterLogEvents") == len(names)
    assert calls.count("GetLogEvents") == 0


def test_the_pushed_down_scan_equals_a_full_read_in_fewer_bytes(backfill_jobs, standin):
    _, names, _ = backfill_jobs
    options = MetricOptions.build(metric_definitions=DEFINITIONS, **standin.aws_kwargs)
    pushed = Backfill(names, options.definitions, options)
    full = Backfill(names, options.definitions, options, push_down=False)
    pushed.run()
    full.run()
    pd.testing.assert_frame_equal(pushed.frame(), full.frame(), check_exact=True)
    assert full.meter.calls["GetLogEvents"] >= 2 * len(names)
    assert pushed.meter.bytes * 4 < full.meter.bytes


def test_each_hosts_lines_parsed_on_every_core_give_the_same_points(backfill_jobs, standin,
                                                                    monkeypatch, caplog):
    """Pieces of 600 characters and no threshold: every host's 300 lines (a full read) are
    cut into pieces and parsed by worker processes, or here while another host's parse has
    them (one pool at a time), and give the reference's points."""
    from metricwidgets.core.parsing import cpus

    if cpus() < 2:
        pytest.skip("one CPU: nothing to parse in parallel")
    _, names, written = backfill_jobs
    monkeypatch.setattr("metricwidgets.core.parsing._pieces.PIECE_BYTES", 600)
    monkeypatch.setattr("metricwidgets.core.parsing._parallel.PARALLEL_MIN_BYTES", 0)
    caplog.set_level("DEBUG", logger="metricwidgets.core.parsing._parallel")
    options = MetricOptions.build(metric_definitions=DEFINITIONS, **standin.aws_kwargs)
    backfill = Backfill(names[:2], options.definitions, options, push_down=False)
    backfill.run()
    said = [r.getMessage() for r in caplog.records if "process(es)" in r.getMessage()]
    pooled = [m for m in said if m.endswith("on 2 process(es)")]
    assert len(said) == 4 and pooled
    assert all(m in pooled or m.endswith("on 1 process(es) (another parse has the workers)")
               for m in said), said
    assert all(int(m.split()[1]) > 10 for m in said)  # pieces per host
    expected = _expected({k: v for k, v in written.items() if k[0] in names[:2]})
    pd.testing.assert_frame_equal(_key(backfill.frame()), _key(expected), check_exact=True)


def test_a_definition_without_a_sound_prefilter_reads_every_line_and_says_why(
        backfill_jobs, calls):
    _, names, written = backfill_jobs
    definitions = DEFINITIONS + [{"Name": "any", "Regex": r"(?i)THROUGHPUT=([0-9.]+)"}]
    with pytest.warns(UserWarning, match="any: case-insensitive"):
        frame = metricwidgets.fetch_jobs_metrics(names[:2], metric_definitions=definitions,
                                                 **calls.aws)
    assert calls.count("FilterLogEvents") == 0 and calls.count("GetLogEvents") > 0
    assert set(frame["metric"]) == {"f1", "loss", "any"}
    assert (frame["metric"] == "any").sum() == 2 * 2 * sum(
        1 for line in written[(names[0], "algo-1")][0] if "throughput" in line)


def test_a_job_that_cannot_be_read_is_a_warning_and_the_others_arrive(backfill_jobs, calls):
    _, names, _ = backfill_jobs
    calls.inject("FilterLogEvents", 1, code="AccessDeniedException", message="no access")
    with pytest.warns(UserWarning, match="no access"):
        frame = metricwidgets.fetch_jobs_metrics([names[0]] + names[1:3],
                                                 metric_definitions=DEFINITIONS, **calls.aws)
    assert frame["job"].nunique() == 2


def test_progress_is_reported_per_job_and_cancel_stops_the_rest(backfill_jobs, standin):
    _, names, _ = backfill_jobs
    options = MetricOptions.build(metric_definitions=DEFINITIONS, **standin.aws_kwargs)
    seen = []
    backfill = Backfill(names, options.definitions, options, on_progress=seen.append)
    backfill.run()
    assert [p.jobs_done for p in seen[:-1]] == list(range(1, len(names) + 1))
    assert seen[-1].finished and seen[-1].calls == len(names) and seen[-1].bytes > 0

    cancelled = Backfill(names, options.definitions, options)
    cancelled.cancel()
    cancelled.run()
    assert cancelled.meter.total_calls == 0 and len(cancelled.store) == 0


def test_the_cli_prints_the_backfill_as_csv(backfill_jobs, standin):
    prefix, names, written = backfill_jobs
    result = subprocess.run(
        [sys.executable, "-m", "metricwidgets", "fetch", "--name-contains", prefix,
         "--definition", f"f1={DEFINITIONS[0]['Regex']}", "--format", "csv"],
        capture_output=True, text=True, env={**os.environ, **standin.env}, timeout=120)
    assert result.returncode == 0, result.stderr
    frame = pd.read_csv(io.StringIO(result.stdout))
    assert list(frame.columns) == ["job", "timestamp", "host", "metric", "value", "step"]
    expected = _expected(written)
    assert len(frame) == (expected["metric"] == "f1").sum()
    assert set(frame["job"]) == set(names)


def test_the_cli_without_a_job_or_name_contains_says_so_in_one_line(standin):
    result = subprocess.run([sys.executable, "-m", "metricwidgets", "fetch", "--definition",
                             "f1=f1=(\\d+)"], capture_output=True, text=True,
                            env={**os.environ, **standin.env}, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "--name-contains" in result.stderr


def _table(standin, names, **kwargs):
    from metricwidgets.widgets.runs_table import RunsTable

    rows = pd.DataFrame({"name": names, "status": "Completed"})
    return RunsTable(rows, plot_factory=lambda names: None, **kwargs, **standin.aws_kwargs)


def test_a_runs_table_log_column_fills_as_jobs_are_read(backfill_jobs, standin):
    _, names, written = backfill_jobs
    table = _table(standin, names)
    backfill = table.add_log_column("f1", DEFINITIONS[0]["Regex"], how="max")
    wait_until(lambda: not backfill.thread.is_alive(), 60, what="the backfill")
    expected = _expected(written)
    best = expected[expected["metric"] == "f1"].groupby("job")["value"].max()
    column = table.frame.set_index("name")["log:f1"]
    assert column.to_dict() == best.to_dict()
    assert table.shown_columns == ["name", "status", "log:f1"]
    bar, cancel, label = table.backfill_box.children[0].children
    assert bar.value == len(names) and cancel.disabled
    assert f"{len(names)}/{len(names)} jobs" in label.value and "calls" in label.value
    assert "filtered in CloudWatch" in label.value
    table.close()


def test_cancel_stops_the_log_column_and_keeps_what_arrived(backfill_jobs, standin):
    from metricwidgets.polling.backfill import Backfill
    from metricwidgets.sources.budget import CallBudget, budgeted_client

    _, names, _ = backfill_jobs
    options = MetricOptions.build(**standin.aws_kwargs)
    slow = CallBudget({("logs", "FilterLogEvents"): 1}, per=1.0)

    def factory(jobs, definitions, *, on_job, on_progress):
        return Backfill(jobs, definitions, options, on_job=on_job, on_progress=on_progress,
                        client=budgeted_client("logs", options.aws, budget=slow), workers=1)

    table = _table(standin, names, backfill_factory=factory)
    backfill = table.add_log_column("f1", DEFINITIONS[0]["Regex"])
    wait_until(lambda: table.frame["log:f1"].notna().any(), 30, what="a first cell")
    table.backfill_box.children[0].children[1].click()
    wait_until(lambda: not backfill.thread.is_alive(), 30, what="the cancelled backfill")
    filled = table.frame["log:f1"].notna().sum()
    assert 1 <= filled < len(names)
    assert "(cancelled)" in table.backfill_box.children[0].children[2].value
    table.close()


def test_a_log_column_with_a_bad_regex_is_one_line(backfill_jobs, standin):
    _, names, _ = backfill_jobs
    table = _table(standin, names)
    assert table.add_log_column("f1", "eval_f1=([0-9.]+") is None
    assert table.message.value.startswith("log:f1:") and "\n" not in table.message.value
    assert table.add_log_column("f1", DEFINITIONS[0]["Regex"], how="median") is None
    assert "how" in table.message.value and "log:f1" not in table.frame.columns
    table.close()


def test_unknown_jobs_are_named_together_not_given_no_points(standin, backfill_jobs):
    _, names, _ = backfill_jobs
    unknown = [f"{names[0]}-nope-{i}" for i in range(3)]
    with pytest.raises(AWSError) as info:
        metricwidgets.fetch_jobs_metrics(unknown, metric_definitions=DEFINITIONS,
                                         **standin.aws_kwargs)
    assert info.value.code == "not-found"
    assert str(info.value) == (f"training jobs '{unknown[0]}', '{unknown[1]}' and "
                               f"'{unknown[2]}' were not found (check the names and the region).")
    # With a known job among them: its points, and one warning naming both unknown ones.
    with pytest.warns(UserWarning) as caught:
        frame = metricwidgets.fetch_jobs_metrics([unknown[0], names[0], unknown[1]],
                                                 metric_definitions=DEFINITIONS,
                                                 **standin.aws_kwargs)
    assert set(frame["job"]) == {names[0]}
    texts = [str(w.message) for w in caught if "not found" in str(w.message)]
    assert texts == [f"training jobs '{unknown[0]}' and '{unknown[1]}' were not found "
                     "(check the names and the region)."]
