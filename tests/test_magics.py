"""The magics in a real IPython shell with ``%load_ext metricwidgets``."""

from __future__ import annotations

import json
import shlex
import signal
import sys
from pathlib import Path

import pytest

from metricwidgets import magics
from metricwidgets.widgets.liveplot import LivePlot

TINY = str(Path(__file__).resolve().parent / "data" / "train_tiny.py")


@pytest.fixture(autouse=True)
def close_plots():
    yield
    LivePlot.close_all()
    magics._PLOTS.clear()


def one_line_error(capsys) -> str:
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("metricwidgets: ")
    return lines[0]


def test_load_ext_registers_the_three_magics(shell):
    assert shell.find_line_magic("metrics") is not None
    assert shell.find_line_magic("metrics_run") is not None
    assert shell.find_cell_magic("metric_regex") is not None


def test_help_lists_every_option(shell, capsys):
    shell.run_cell("%metrics?")
    out = capsys.readouterr().out
    for option in ("--tuning-job", "--compare", "--jobs", "--definitions", "--regex",
                   "--source", "--region", "--profile", "--endpoint-url"):
        assert option in out


@pytest.mark.parametrize("line", ["--bogus", "", "job --source nowhere", "job --tuning-job t"])
def test_bad_arguments_give_one_line(shell, capsys, line):
    assert shell.run_line_magic("metrics", line) is None
    one_line_error(capsys)


def test_metrics_run_without_a_command_gives_one_line(shell, capsys):
    assert shell.run_line_magic("metrics_run", "--regex a=b") is None
    assert "after --" in one_line_error(capsys)


def test_bad_regex_gives_one_line_naming_the_definition(shell, capsys):
    assert shell.run_line_magic("metrics_run", '--regex "loss=loss=((" -- python -c 1') is None
    assert "'loss'" in one_line_error(capsys)


def test_missing_definitions_file_gives_one_line(shell, capsys, tmp_path):
    line = f"--definitions {tmp_path / 'nope.json'} -- python -c 1"
    assert shell.run_line_magic("metrics_run", line) is None
    # the same words as the CLI's (one loader for every door)
    assert one_line_error(capsys).endswith("nope.json: no such definitions file")


def test_metrics_run_plots_the_definitions_suggested_from_the_output(shell):
    plot = shell.run_line_magic("metrics_run", f"-- {sys.executable} {TINY} --epochs 15")
    assert isinstance(plot, LivePlot)
    assert plot.wait(60)
    names = {k.metric for k in plot.watch.store.keys()}
    assert {"Train_error", "Valid_error"} <= names
    assert list(plot.charts) == ["error"]


def test_metrics_run_with_quoted_regex_and_definitions_file(shell, tmp_path):
    defs = tmp_path / "defs.json"
    defs.write_text(json.dumps([{"Name": "validation:error", "Regex": r"Valid_error=(.*?);"}]))
    line = (f'--definitions {defs} --regex "train:error=Train_error=(.*?);" '
            f"-- {sys.executable} {TINY} --epochs 5")
    plot = shell.run_line_magic("metrics_run", line)
    assert plot.wait(60)
    assert {k.metric for k in plot.watch.store.keys()} == {"train:error", "validation:error"}


def test_metrics_run_step_option_takes_the_step_from_the_log(tmp_path, shell):
    script = tmp_path / "steps.py"
    script.write_text("for epoch in (5, 10, 20):\n"
                      "    print(f'epoch {epoch}: Train_error=0.{epoch};', flush=True)\n")
    line = (f'--step "epoch (\\d+):" --regex "train:error=Train_error=(.*?);" '
            f"-- {sys.executable} {script}")
    plot = shell.run_line_magic("metrics_run", line)
    assert plot.wait(60)
    frame = plot.to_dataframe().sort_values("line")
    # without --step the points would be numbered 0, 1, 2
    assert frame["step"].tolist() == [5.0, 10.0, 20.0]
    assert frame["value"].tolist() == [0.5, 0.1, 0.2]


def test_rerunning_the_cell_closes_the_previous_plot(shell):
    line = f"-- {sys.executable} {TINY} --epochs 1000 --delay 0.05"
    first = shell.run_line_magic("metrics_run", line)
    second = shell.run_line_magic("metrics_run", line)
    assert first.closed and first.watch.closed
    assert not second.closed
    assert list(magics.open_plots().values()) == [second]


def test_interrupting_the_idle_kernel_stops_every_plot_and_keeps_its_chart(shell):
    class FakeKernel:  # what ipykernel restores after each cell
        saved_sigint_handler = signal.SIG_IGN

    kernel = FakeKernel()
    shell.kernel = kernel
    try:
        line = f"-- {sys.executable} {TINY} --epochs 1000 --delay 0.05"
        plot = shell.run_line_magic("metrics_run", line)
        handler = kernel.saved_sigint_handler
        assert callable(handler) and magics.install_interrupt_handler(shell)
        assert kernel.saved_sigint_handler is handler  # installed once
        handler(signal.SIGINT, None)
        assert plot.stopped and plot.watch.closed
        # The widgets stay open (Jupyter interrupts before every restart: closing them then
        # makes the page log "Comm not found" for each), and still redraw on a control.
        assert not plot.closed and plot.comm is not None
        before = plot.redraws
        plot.controls.log_y.value = True
        assert plot.redraws > before and plot.last_error is None
        # A re-run of the cell closes the stopped plot it replaces.
        again = shell.run_line_magic("metrics_run", line)
        assert plot.closed and not again.closed
        again.close()
    finally:
        del shell.kernel


@pytest.mark.aws
def test_unknown_job_gives_one_line(shell, capsys, standin):
    line = f"no-such-job --region {standin.region} --endpoint-url {standin.endpoint_url}"
    assert shell.run_line_magic("metrics", line) is None
    assert "no-such-job" in one_line_error(capsys)


@pytest.mark.aws
def test_compare_names_every_unknown_job_in_one_line(shell, capsys, standin, job_name):
    standin.write_finished_job(job_name, lines_per_host=5, instance_count=1)
    line = (f"--compare {job_name}-nope-a {job_name} {job_name}-nope-b {job_name}-nope-c "
            f"--region {standin.region} --endpoint-url {standin.endpoint_url}")
    assert shell.run_line_magic("metrics", line) is None
    assert one_line_error(capsys) == (
        f"metricwidgets: training jobs '{job_name}-nope-a', '{job_name}-nope-b' and "
        f"'{job_name}-nope-c' were not found (check the names and the region).")


@pytest.mark.aws
def test_metrics_on_a_stand_in_job_plots_it(shell, standin, job_name):
    standin.write_finished_job(job_name, lines_per_host=20, instance_count=1)
    line = f"{job_name} --region {standin.region} --endpoint-url {standin.endpoint_url}"
    plot = shell.run_line_magic("metrics", line)
    assert isinstance(plot, LivePlot)
    assert plot.wait(60)
    assert len(plot.to_dataframe()) > 0 and plot.charts


def test_missing_profile_gives_one_line(shell, capsys):
    assert shell.run_line_magic("metrics", "some-job --profile no-such-profile-xyz") is None
    one_line_error(capsys)


def test_metric_regex_opens_the_playground_on_the_cell_text(shell):
    sample = "Train_error=0.25;  Valid_error=0.31;\n"
    widget = shell.run_cell_magic("metric_regex", '--regex "train:error=Train_error=(.*?);"',
                                  sample)
    assert type(widget).__name__ == "RegexPlayground"
    assert widget.metric_definitions == [{"Name": "train:error", "Regex": "Train_error=(.*?);"}]


def test_a_jobs_logs_and_metrics_plots_from_two_cells_both_stay_open(shell, standin, job_name):
    # Without a cell id (nbclient sends none) plots are keyed by target: the same job with
    # another --source is another target, as notebook 03 shows both.
    standin.write_finished_job(job_name, lines_per_host=5, instance_count=1)
    where = f"--region {standin.region} --endpoint-url {standin.endpoint_url}"
    logs = shell.run_line_magic("metrics", f"{job_name} {where}")
    published = shell.run_line_magic("metrics", f"{job_name} --source metrics {where}")
    assert not logs.closed and not published.closed
    again = shell.run_line_magic("metrics", f"{job_name} {where}")
    assert logs.closed and not again.closed and not published.closed


@pytest.mark.aws
def test_rerunning_notebook_03_in_the_same_kernel_shows_the_job_once(shell, job_name):
    # Notebook 03's cells run twice in one kernel: each run starts a stand-in (moto's state
    # is the process's, so the second one sees the first's job) and plays the same job.
    from metricwidgets.testing import StandIn

    plots = []
    for _run in range(2):
        stand_in = StandIn().start()
        try:
            stand_in.play_job(job_name, kind="xgboost", instance_count=2, lines_per_host=12,
                              interval=0.02, phase_seconds=0.05)
            where = f"--region {stand_in.region} --endpoint-url {stand_in.endpoint_url}"
            plots.append(shell.run_line_magic("metrics", f"{job_name} {where}"))
            assert plots[-1].wait(120)
        finally:
            stand_in.stop()
    first, second = plots
    assert first.closed and first.watch.closed and not second.closed
    counts = second.to_dataframe().groupby(["source", "host", "metric"]).size()
    assert len(counts) == 4 and set(counts) == {12}, counts.to_string()


def _aws(standin) -> str:
    return f"--region {standin.region} --endpoint-url {standin.endpoint_url}"


def _finished_jobs(standin, job_name, count=2):
    jobs = [f"{job_name}-{letter}" for letter in "abcdefgh"[:count]]
    for job in jobs:
        standin.write_finished_job(job, lines_per_host=10, instance_count=1)
    return jobs


@pytest.mark.aws
def test_compare_overlays_the_jobs_in_one_plot(shell, standin, job_name):
    jobs = _finished_jobs(standin, job_name)
    plot = shell.run_line_magic("metrics", f"--compare {' '.join(jobs)} {_aws(standin)}")
    assert isinstance(plot, LivePlot) and plot.job_names == jobs
    assert plot.wait(60)
    assert {key.source for key in plot.watch.store.keys()} == set(jobs)


@pytest.mark.aws
def test_rerunning_a_compare_cell_replaces_its_plot(shell, standin, job_name):
    jobs = _finished_jobs(standin, job_name)
    line = f"--compare {' '.join(jobs)} {_aws(standin)}"
    first = shell.run_line_magic("metrics", line)
    second = shell.run_line_magic("metrics", line)
    assert first.closed and not second.closed
    assert list(magics.open_plots().values()) == [second]


@pytest.mark.aws
def test_jobs_opens_the_runs_table_whose_ticked_rows_are_overlaid(shell, standin, job_name):
    from metricwidgets.widgets.runs_table import RunsTable

    jobs = _finished_jobs(standin, job_name, 3)
    table = shell.run_line_magic("metrics", f"--jobs {job_name} --source metrics "
                                            f"{_aws(standin)}")
    try:
        assert isinstance(table, RunsTable)
        assert sorted(table.frame["name"]) == jobs
        table.select(jobs[:2])
        assert table.plot.job_names == jobs[:2]
        # the overlay is read as the magic's flags say
        assert {type(s).__name__ for s in table.plot.watch.sources} == {
            "CloudWatchMetricsSource"}
        again = shell.run_line_magic("metrics", f"--jobs {job_name} --source metrics "
                                                f"{_aws(standin)}")
        assert table.closed and table.plot.closed and not again.closed
    finally:
        table.close()


@pytest.mark.aws
def test_jobs_that_cannot_be_listed_give_one_line(shell, capsys, standin):
    line = f"--jobs x --region {standin.region} --endpoint-url http://127.0.0.1:9"  # refused
    assert shell.run_line_magic("metrics", line) is None
    assert "searching training jobs" in one_line_error(capsys)


@pytest.mark.parametrize("line", ["some-job --compare a b", "--tuning-job t --compare a",
                                  "--compare a --jobs x", "some-job --jobs x",
                                  "--tuning-job t --jobs ''"])
def test_compare_and_jobs_with_another_target_give_one_line(shell, capsys, line):
    assert shell.run_line_magic("metrics", line) is None
    error = one_line_error(capsys)
    assert "give one of:" in error and "given together" in error


@pytest.mark.parametrize("name", ["bad name", "ends-", "x" * 64, "a_b"])
def test_compare_refuses_a_name_sagemaker_cannot_have(shell, capsys, name):
    line = f"--compare ok-job {shlex.quote(name)} --endpoint-url http://127.0.0.1:9"
    assert shell.run_line_magic("metrics", line) is None
    assert "is not a training job's name" in one_line_error(capsys)
