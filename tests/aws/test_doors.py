"""Every option through every door: magics (job, tuning job, --compare, --jobs, command), CLI
(fetch, parse, check, diagnose --job, jobs), the Python API (list_jobs, Watch/LivePlot.for_jobs)
and the server's config, against the moto stand-in; what arrives is observed where it acts
(the endpoint and region of the boto3 client a source talks to, the kind of source, the step
and definitions the parsers use, the CLI's output), never a stub of our own code.
"""

from __future__ import annotations

import io
import json
import shlex
import sys
import time
from contextlib import redirect_stdout

import pytest

from metricwidgets import magics
from metricwidgets.cli import main as cli_main
from metricwidgets.widgets.liveplot import LivePlot
from tests.waiting import wait_until

pytestmark = pytest.mark.aws

PROFILE = "mw-door-test"
LINES = ["epoch 3: loss=0.5", "epoch 7: loss=0.25 acc=0.75"]
DEFS = [{"Name": "loss", "Regex": r"loss=([0-9.]+)"}]


@pytest.fixture(autouse=True)
def environment(monkeypatch, tmp_path, standin):
    """Nothing but the flags points at the stand-in: no METRICWIDGETS_* variables, the
    default profile's region a wrong one, and a named profile whose region is the stand-in's."""
    for name in ("METRICWIDGETS_REGION", "METRICWIDGETS_PROFILE", "METRICWIDGETS_ENDPOINT_URL",
                 "AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "aws-config"
    config.write_text("[default]\nregion = ap-south-1\n"
                      f"[profile {PROFILE}]\nregion = {standin.region}\n"
                      "aws_access_key_id = testing\naws_secret_access_key = testing\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    yield
    LivePlot.close_all()
    magics._PLOTS.clear()


def _job(standin, name):
    standin.create_job(name, DEFS, status="InProgress", secondary_status="Training",
                       started_seconds_ago=300)
    standin.write_logs(name, "algo-1", LINES)
    standin.put_metrics(name, {"loss": [(time.time() - 120, 0.5)]})
    standin.finish_job(name, "Completed", {"loss": 0.25})


@pytest.fixture
def job(standin, job_name):
    _job(standin, job_name)
    return job_name


@pytest.fixture
def tuning(standin, job_name):
    name = "tune-" + job_name.rsplit("-", 1)[-1]
    standin.create_tuning_job(name)
    child = f"{name}-001"
    standin.add_tuning_child(name, child, metric_definitions=DEFS, status="InProgress",
                             secondary_status="Training", started_seconds_ago=300)
    standin.write_logs(child, "algo-1", LINES)
    standin.put_metrics(child, {"loss": [(time.time() - 120, 0.5)]})
    standin.finish_job(child, "Completed", {"loss": 0.25})
    standin.finish_tuning_job(name, child, 0.25)
    return name


@pytest.fixture
def logfile(tmp_path):
    path = tmp_path / "train.log"
    path.write_text("\n".join(LINES) + "\n")
    return path


def _flag_args(flag, standin, tmp_path):
    """The command-line words for ``flag``, with the value only the stand-in makes work."""
    defs = tmp_path / "defs.json"
    defs.write_text(json.dumps([{"Name": "acc", "Regex": r"acc=([0-9.]+)"}]))
    return {
        "--region": ["--region", standin.region],
        "--profile": ["--profile", PROFILE],
        "--endpoint-url": ["--endpoint-url", standin.endpoint_url],
        "--source": ["--source", "metrics"],
        "--step": ["--step", r"epoch (\d+):"],
        "--definitions": ["--definitions", str(defs)],
        "--definition": ["--definition", r"acc=acc=([0-9.]+)"],
        "--regex": ["--regex", r"acc=acc=([0-9.]+)"],
    }[flag]


def _base(flag, standin):
    """What a door needs besides ``flag`` to reach the stand-in (never ``flag`` itself)."""
    words = []
    if flag != "--endpoint-url":
        words += ["--endpoint-url", standin.endpoint_url]
    if flag not in ("--region", "--profile"):
        words += ["--region", standin.region]
    return words


# ------------------------------------------------------------------ what arrived, per door
def _watch_arrived(watch, flag, standin):
    """Observe ``flag`` in a watch's real parts once its first child/job has data."""
    wait_until(lambda: watch.sources and len(watch.store) > 0, 60,
               what="the first points")
    source = watch.sources[0]
    frame = watch.store.to_dataframe()
    if flag in ("--region", "--profile"):
        return source.client.meta.region_name == standin.region
    if flag == "--endpoint-url":
        return source.client.meta.endpoint_url == standin.endpoint_url
    if flag == "--source":
        return type(source).__name__ == "CloudWatchMetricsSource" and set(frame.host) == {"all"}
    if flag == "--step":
        steps = {p.parser.step_definition.regex for p in watch.session.parsers()}
        return steps == {r"epoch (\d+):"} and sorted(frame.step) == [3.0, 7.0]
    # a definition: the parsers use it, and its points are there
    names = {n for p in watch.session.parsers() for n in p.names}
    return "acc" in names and frame[frame.metric == "acc"]["value"].tolist() == [0.75]


def _magic(shell, line):
    plot = shell.run_line_magic("metrics", line)
    assert plot is not None, f"%metrics {line} made no plot"
    return plot.watch


def magic_job(flag, standin, tmp_path, job, tuning, logfile, shell):
    words = [job, *_base(flag, standin), *_flag_args(flag, standin, tmp_path)]
    return _watch_arrived(_magic(shell, shlex.join(words)), flag, standin)


def magic_tuning(flag, standin, tmp_path, job, tuning, logfile, shell):
    words = ["--tuning-job", tuning, *_base(flag, standin), *_flag_args(flag, standin, tmp_path)]
    return _watch_arrived(_magic(shell, shlex.join(words)), flag, standin)


def magic_compare(flag, standin, tmp_path, job, tuning, logfile, shell):
    words = ["--compare", job, *_base(flag, standin), *_flag_args(flag, standin, tmp_path)]
    return _watch_arrived(_magic(shell, shlex.join(words)), flag, standin)


def magic_jobs(flag, standin, tmp_path, job, tuning, logfile, shell):
    """``--jobs``: the flags list the jobs, and the rows ticked are overlaid with them."""
    words = ["--jobs", job, *_base(flag, standin), *_flag_args(flag, standin, tmp_path)]
    table = shell.run_line_magic("metrics", shlex.join(words))
    assert table is not None, f"%metrics {shlex.join(words)} made no table"
    table.select([job])
    return list(table.frame["name"]) == [job] and _watch_arrived(table.plot.watch, flag,
                                                                  standin)


def magic_command(flag, standin, tmp_path, job, tuning, logfile, shell):
    words = [*_flag_args(flag, standin, tmp_path), "--", sys.executable, "-c",
             f"print({chr(10).join(LINES)!r})"]
    if flag not in ("--definitions", "--definition", "--regex"):
        words[:0] = ["--definition", DEFS[0]["Name"] + "=" + DEFS[0]["Regex"]]
    plot = shell.run_line_magic("metrics_run", shlex.join(words))
    assert plot is not None and plot.wait(60)
    watch = plot.watch
    frame = watch.store.to_dataframe()
    if flag == "--step":
        return sorted(frame.step) == [3.0, 7.0]
    return frame[frame.metric == "acc"]["value"].tolist() == [0.75]


def _cli(*argv):
    out = io.StringIO()
    with redirect_stdout(out):
        status = cli_main(list(argv))
    return status, out.getvalue()


def cli_fetch(flag, standin, tmp_path, job, tuning, logfile, shell):
    status, out = _cli("fetch", job, *_base(flag, standin), *_flag_args(flag, standin, tmp_path),
                       "--format", "json")
    assert status == 0, out
    rows = json.loads(out)
    if flag in ("--region", "--profile", "--endpoint-url"):
        return sorted(r["value"] for r in rows if r["metric"] == "loss") == [0.25, 0.5]
    if flag == "--source":
        return {r["host"] for r in rows} == {"all"}
    if flag == "--step":
        return sorted(r["step"] for r in rows) == [3.0, 7.0]
    return [r["value"] for r in rows if r["metric"] == "acc"] == [0.75]


def cli_parse(flag, standin, tmp_path, job, tuning, logfile, shell):
    status, out = _cli("parse", str(logfile), *_flag_args(flag, standin, tmp_path),
                       "--format", "json")
    return status == 0 and [r["value"] for r in json.loads(out) if r["metric"] == "acc"] == [0.75]


def cli_check(flag, standin, tmp_path, job, tuning, logfile, shell):
    _, out = _cli("check", str(logfile), *_flag_args(flag, standin, tmp_path))
    return "acc  1 matching lines, 1 points" in out


def cli_diagnose_job(flag, standin, tmp_path, job, tuning, logfile, shell):
    """``diagnose --job``: the store it diagnoses is seen by wrapping (not replacing) the
    function that diagnoses it."""
    from unittest import mock

    from metricwidgets.core import diagnosis

    seen = []
    real = diagnosis.diagnose_store

    def spy(store, *args, **kwargs):
        seen.append(store.to_dataframe())
        return real(store, *args, **kwargs)

    with mock.patch.object(diagnosis, "diagnose_store", spy):
        status, out = _cli("diagnose", "--job", job, *_base(flag, standin),
                           *_flag_args(flag, standin, tmp_path), "--format", "json")
    assert status in (0, 1) and isinstance(json.loads(out), list), out
    return len(seen) == 1 and _store_arrived(seen[0], flag)


def _door_parser():
    import argparse

    from metricwidgets.options import OPTION_FLAGS, add_option_arguments

    parser = argparse.ArgumentParser()
    add_option_arguments(parser, *OPTION_FLAGS)
    return parser


def _store_arrived(frame, flag):
    """What a flag leaves in a fetched store's frame."""
    if flag in ("--region", "--profile", "--endpoint-url"):
        return sorted(frame[frame.metric == "loss"]["value"]) == [0.25, 0.5]
    if flag == "--source":
        return set(frame.host) == {"all"}
    if flag == "--step":
        return sorted(frame.step) == [3.0, 7.0]
    return frame[frame.metric == "acc"]["value"].tolist() == [0.75]


def cli_jobs(flag, standin, tmp_path, job, tuning, logfile, shell):
    status, out = _cli("jobs", "--name-contains", job, *_base(flag, standin),
                       *_flag_args(flag, standin, tmp_path), "--format", "json")
    return status == 0 and [r["name"] for r in json.loads(out)] == [job]


def _keywords(flag, standin, tmp_path):
    """The Python API's keywords for ``flag`` (and what the stand-in needs besides)."""
    args = _door_parser().parse_args(_base(flag, standin) + _flag_args(flag, standin, tmp_path))
    pairs = {"region": args.region, "profile": args.profile, "endpoint_url": args.endpoint_url,
             "step_definition": args.step,
             "metric_definitions": args.definitions and __import__("pathlib").Path(
                 args.definitions)}
    if flag == "--source":
        pairs["source"] = args.source
    return {k: v for k, v in pairs.items() if v}


def _options(flag, standin, tmp_path):
    from metricwidgets.options import MetricOptions

    args = _door_parser().parse_args(_base(flag, standin) + _flag_args(flag, standin, tmp_path))
    return MetricOptions.from_arguments(args)


def api_list_jobs(flag, standin, tmp_path, job, tuning, logfile, shell):
    from metricwidgets import list_jobs

    by_keywords = list_jobs(name_contains=job, **_keywords(flag, standin, tmp_path))
    by_options = list_jobs(job, options=_options(flag, standin, tmp_path))
    return list(by_keywords["name"]) == [job] == list(by_options["name"])


def api_watch_for_jobs(flag, standin, tmp_path, job, tuning, logfile, shell):
    from metricwidgets.polling import Watch

    watch = Watch.for_jobs([job], options=_options(flag, standin, tmp_path))
    try:
        return _watch_arrived(watch, flag, standin)
    finally:
        watch.close()


def api_plot_for_jobs(flag, standin, tmp_path, job, tuning, logfile, shell):
    plot = LivePlot.for_jobs([job], **_keywords(flag, standin, tmp_path))
    return _watch_arrived(plot.watch, flag, standin)


def server_config(flag, standin, tmp_path, job, tuning, logfile, shell):
    """The server's traitlets settings, as jupyter_server hands them to the extension."""
    import tornado.web
    from traitlets.config import Config

    from metricwidgets.server.config import MetricWidgets
    from metricwidgets.server.routes import _STATE, setup_routes

    settings = {k: v for k, v in _keywords(flag, standin, tmp_path).items()
                if k in ("region", "profile", "endpoint_url")}
    app = tornado.web.Application(base_url="/")
    setup_routes(app, MetricWidgets(config=Config({"MetricWidgets": settings})))
    catalog = app.settings[_STATE]["catalog"]
    try:
        described = catalog.describe_training_job(job)
        meta = catalog.client.meta
        return ((meta.region_name, meta.endpoint_url) == (standin.region, standin.endpoint_url)
                and job in json.dumps(described))
    finally:
        app.settings[_STATE]["executor"].shutdown(wait=False)


AWS_FLAGS = ["--region", "--profile", "--endpoint-url", "--source"]
DEFINITION_FLAGS = ["--definitions", "--definition", "--regex"]
TABLE = (
    [(magic_job, f) for f in AWS_FLAGS + ["--step"] + DEFINITION_FLAGS]
    + [(magic_tuning, f) for f in AWS_FLAGS + ["--step"] + DEFINITION_FLAGS]
    + [(magic_compare, f) for f in AWS_FLAGS + ["--step"] + DEFINITION_FLAGS]
    + [(magic_jobs, f) for f in AWS_FLAGS + ["--step"] + DEFINITION_FLAGS]
    + [(magic_command, f) for f in ["--step"] + DEFINITION_FLAGS]
    + [(cli_fetch, f) for f in AWS_FLAGS + ["--step"] + DEFINITION_FLAGS]
    + [(cli_parse, f) for f in DEFINITION_FLAGS]
    + [(cli_check, f) for f in DEFINITION_FLAGS]
    + [(cli_diagnose_job, f) for f in AWS_FLAGS + ["--step"] + DEFINITION_FLAGS]
    + [(cli_jobs, f) for f in AWS_FLAGS[:3]]
    + [(api_list_jobs, f) for f in AWS_FLAGS[:3]]
    + [(api_watch_for_jobs, f) for f in AWS_FLAGS + ["--step"] + DEFINITION_FLAGS]
    + [(api_plot_for_jobs, f) for f in AWS_FLAGS + ["--step", "--definitions"]]
    + [(server_config, f) for f in AWS_FLAGS[:3]]
)


@pytest.mark.parametrize(("door", "flag"), TABLE,
                         ids=[f"{door.__name__}{flag}" for door, flag in TABLE])
def test_every_flag_reaches_the_code_through_every_door(door, flag, standin, tmp_path, job,
                                                        tuning, logfile, shell):
    assert door(flag, standin, tmp_path, job, tuning, logfile, shell)


def test_a_tuning_job_watched_with_step_and_metrics_source_uses_both(standin, tuning, shell):
    line = (f"--tuning-job {tuning} --step 'epoch (\\d+):' --source metrics "
            f"--region {standin.region} --endpoint-url {standin.endpoint_url}")
    watch = _magic(shell, line)
    wait_until(lambda: watch.sources and len(watch.store) > 0, 60, what="the child's points")
    assert type(watch.sources[0]).__name__ == "CloudWatchMetricsSource"
    assert set(watch.store.to_dataframe().host) == {"all"}  # SageMaker's published metrics
    assert watch.session.step_definition == r"epoch (\d+):"
