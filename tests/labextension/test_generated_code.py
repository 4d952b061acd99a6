"""The code the sidebar inserts, read back by a real IPython shell and the magic's parser.

labextension/src/codegen.ts is compiled with the project's own TypeScript and run by node;
each generated cell then runs in an IPython shell whose ``%metrics`` records the words
``metricwidgets.magics._parse`` would see (IPython's ``{}``/``$`` expansion, then
``shlex.split``). A hostile job name must come back as exactly one word, equal to itself,
and run nothing else.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

LABEXT = Path(__file__).resolve().parents[2] / "labextension"

NAMES = [
    "plain-job-001",
    "job {__import__('os').environ.__setitem__('PWNED', '1')}",
    "job $HOME $$x ${x}",
    "a$x'b",
    "it's \"quoted\" \\ back",
    "job; import os #",
    "{{x}} }{",
    "tab-free but spaced   out",
]
LINE_BREAKING = ["job\nimport os", "job\r!echo hi", "job\u2028!echo hi", "job\x00"]

_SCRIPT = """
const ts = require('typescript');
const fs = require('fs');
const source = fs.readFileSync('src/codegen.ts', 'utf8');
const js = ts.transpileModule(source, {compilerOptions: {module: ts.ModuleKind.CommonJS,
                                                         target: ts.ScriptTarget.ES2020}});
const m = {exports: {}};
new Function('module', 'exports', js.outputText)(m, m.exports);
const input = JSON.parse(fs.readFileSync(0, 'utf8'));
const call = (fn, arg) => {
  try { return m.exports[fn](arg); } catch (e) { return {error: String(e)}; }
};
console.log(JSON.stringify({
  each: input.names.map(name => Object.fromEntries(
    ['metricsCode', 'tuningMetricsCode', 'playgroundCode'].map(fn => [fn, call(fn, name)]))),
  compare: input.compare.map(jobs => call('compareMetricsCode', jobs)),
  eachAws: (input.eachAws || []).map(([name, aws]) => Object.fromEntries(
    ['metricsCode', 'tuningMetricsCode', 'playgroundCode'].map(fn => {
      try { return [fn, m.exports[fn](name, aws)]; } catch (e) { return [fn, {error: String(e)}]; }
    }))),
  compareAws: (input.compareAws || []).map(([jobs, aws]) => {
    try { return m.exports.compareMetricsCode(jobs, aws); } catch (e) { return {error: String(e)}; }
  }),
}));
"""


def _run_codegen(names=(), compare=(), compare_aws=(), each_aws=()):
    node = shutil.which("node")
    assert node, "node is needed to build the labextension; it is not on PATH"
    assert (LABEXT / "node_modules" / "typescript").is_dir(), "run npm install in labextension"
    done = subprocess.run([node, "-e", _SCRIPT], text=True,
                          input=json.dumps({"names": list(names), "compare": list(compare),
                                            "compareAws": list(compare_aws),
                                            "eachAws": list(each_aws)}),
                          capture_output=True, cwd=LABEXT, check=True, timeout=60)
    return json.loads(done.stdout)


def generated(names):
    """For each name, the cells of ``metricsCode``, ``tuningMetricsCode``, ``playgroundCode``."""
    return _run_codegen(names=names)["each"]


def generated_compare(job_lists):
    """The ``compareMetricsCode`` cell of each list of jobs (``{"error"}`` if refused)."""
    return _run_codegen(compare=job_lists)["compare"]


@pytest.fixture
def shell(monkeypatch):
    monkeypatch.delenv("PWNED", raising=False)
    ip = InteractiveShell.instance()
    seen = []

    def record(line):  # what metricwidgets.magics._parse does with the line
        seen.append(shlex.split(line))

    line_magics = ip.magics_manager.magics["line"]
    real = line_magics.get("metrics")  # IPython's shell is one per process: put back ours
    ip.register_magic_function(record, "line", "metrics")
    ip.user_ns.update(x="EXPANDED")
    ip.seen = seen
    yield ip
    if real is None:
        del line_magics["metrics"]
    else:
        line_magics["metrics"] = real


@pytest.mark.parametrize("name", NAMES)
def test_a_name_reaches_the_magic_as_one_word_and_runs_nothing(shell, name):
    codes = generated([name])[0]
    result = shell.run_cell(codes["metricsCode"])
    assert result.success, result.error_in_exec or result.error_before_exec
    result = shell.run_cell(codes["tuningMetricsCode"])
    assert result.success
    assert shell.seen == [[name], ["--tuning-job", name]]
    assert "PWNED" not in __import__("os").environ


@pytest.mark.parametrize("name", NAMES + LINE_BREAKING)
def test_the_playground_cell_passes_the_name_as_one_python_string(shell, name):
    code = generated([name])[0]["playgroundCode"]
    lines = code.split("\n")
    assert lines[0] == "import metricwidgets" and len(lines) == 2
    call = shell.transform_cell(lines[1])
    assert call.strip() == lines[1]  # IPython does not rewrite it
    prefix = "metricwidgets.RegexPlayground.from_job("
    assert lines[1].startswith(prefix) and lines[1].endswith(")")
    assert eval(lines[1][len(prefix):-1], {"__builtins__": {}}) == name


@pytest.mark.parametrize("name", LINE_BREAKING + ["--tuning-job", "-x"])
def test_a_name_that_cannot_be_one_word_is_refused(name):
    codes = generated([name])[0]
    assert "error" in codes["metricsCode"] and "error" in codes["tuningMetricsCode"]


def test_a_compare_cell_gives_the_magic_every_job_as_one_word_in_order(shell):
    many = [f"run-{i:03d}-{'x' * (i % 40)}" for i in range(300)]
    lists = [["baseline", "variant-1"], NAMES, many, ["a--region", "1e5", "nan", "None"]]
    codes = generated_compare(lists)
    for jobs, code in zip(lists, codes):
        assert isinstance(code, str) and "\n" not in code, code
        result = shell.run_cell(code)
        assert result.success, result.error_in_exec or result.error_before_exec
    assert shell.seen == [["--compare", *jobs] for jobs in lists]
    assert codes[0] == "%metrics --compare baseline variant-1"
    assert "PWNED" not in __import__("os").environ


@pytest.mark.parametrize("bad", LINE_BREAKING + ["--tuning-job", "-x"])
def test_a_compare_cell_with_a_name_that_cannot_be_one_word_is_refused(bad):
    code, empty = generated_compare([["good-1", bad, "good-2"], []])
    assert "error" in code and "error" in empty


#: AWS values a user may configure; each must reach the magic as one word, unexpanded.
AWS_VALUES = {"region": "eu-west-1", "profile": "ml team's {x} $HOME",
              "endpointUrl": "http://127.0.0.1:5000/a?b=$x&c={y}"}


def test_a_compare_cell_with_aws_flags_reaches_the_magic_parser_word_for_word(shell):
    from metricwidgets.magics import MetricMagics

    jobs = ["baseline-job", "variant-1", "v--2"]
    code, bare = _run_codegen(compare_aws=[[jobs, AWS_VALUES], [jobs[:1], {}]])["compareAws"]
    assert bare == "%metrics --compare baseline-job"
    result = shell.run_cell(code)
    assert result.success, result.error_in_exec or result.error_before_exec
    words = shell.seen[-1]
    assert words == ["--compare", *jobs, "--region", AWS_VALUES["region"], "--profile",
                     AWS_VALUES["profile"], "--endpoint-url", AWS_VALUES["endpointUrl"]]
    # the magic's own parser puts each where it belongs
    args = MetricMagics.metrics.parser.parse_args(words)
    assert (args.compare, args.region, args.profile, args.endpoint_url, args.job) == (
        jobs, AWS_VALUES["region"], AWS_VALUES["profile"], AWS_VALUES["endpointUrl"], None)


def test_every_one_job_cell_passes_the_listed_jobs_aws_settings_word_for_word(shell):
    from metricwidgets.magics import MetricMagics

    codes = _run_codegen(each_aws=[["job-1", AWS_VALUES]])["eachAws"][0]
    for key in ("metricsCode", "tuningMetricsCode"):
        result = shell.run_cell(codes[key])
        assert result.success, result.error_in_exec or result.error_before_exec
    flags = ["--region", AWS_VALUES["region"], "--profile", AWS_VALUES["profile"],
             "--endpoint-url", AWS_VALUES["endpointUrl"]]
    assert shell.seen == [["job-1", *flags], ["--tuning-job", "job-1", *flags]]
    args = MetricMagics.metrics.parser.parse_args(shell.seen[0])
    assert (args.job, args.region, args.profile, args.endpoint_url) == (
        "job-1", AWS_VALUES["region"], AWS_VALUES["profile"], AWS_VALUES["endpointUrl"])
    # The playground's call, read by Python itself: the same values as keywords.
    call = codes["playgroundCode"].split("\n")[1]
    assert call.startswith("metricwidgets.RegexPlayground.from_job(")
    got = eval(call.replace("metricwidgets.RegexPlayground.from_job", "dict", 1)
               .replace("dict(", "dict(job=", 1), {"__builtins__": {"dict": dict}})
    assert got == {"job": "job-1", "region": AWS_VALUES["region"],
                   "profile": AWS_VALUES["profile"], "endpoint_url": AWS_VALUES["endpointUrl"]}
