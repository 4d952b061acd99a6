"""RegexPlayground without a kernel: the model, its widgets' state and the HTML it produces."""

from __future__ import annotations

import html
import json
import re
import sys
from html.parser import HTMLParser

import pytest

from metricwidgets.core.parsing import MetricDefinition
from metricwidgets.widgets.playground import DEBOUNCE_SECONDS, EDITABLE_CHARS, RegexPlayground
from metricwidgets.widgets.playground import (json_export, python_export, render_report,
                                                   sparkline_svg)
from metricwidgets.core.authoring import build_report
from tests.waiting import wait_until

DOC = "Train_error=0.138318;  Valid_error = 0.324557;"
DOC_DEFS = [{"Name": "train:error", "Regex": "Train_error=(.*?);"},
            {"Name": "validation:error", "Regex": "Valid_error=(.*?);"}]
XSS = "<img src=x onerror=alert(1)> loss=0.5;\n</div><script>alert(2)</script> loss=0.25;"


class Tags(HTMLParser):
    """Every start tag in an HTML text (what a browser would create)."""

    def __init__(self, text):
        super().__init__()
        self.tags, self.texts = [], []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.texts.append(data)

    @property
    def text(self):
        return "".join(self.texts)


class Timers:
    """The debounce timers a playground made, fired by the test instead of by time."""

    class Timer:
        def __init__(self, seconds, function, args=()):
            self.seconds, self.function, self.args = seconds, function, args
            self.started = self.cancelled = False

        def start(self):
            self.started = True

        def cancel(self):
            self.cancelled = True

        def fire(self):  # what threading.Timer does when its time comes (if not cancelled)
            self.function(*self.args)

    def __init__(self):
        self.made: list[Timers.Timer] = []

    def __call__(self, seconds, function, args=()):
        self.made.append(self.Timer(seconds, function, args))
        return self.made[-1]


@pytest.fixture
def doc():
    playground = RegexPlayground(sample_text=DOC, metric_definitions=DOC_DEFS)
    yield playground
    playground.close()


def test_done_when_doc_example_shows_one_and_zero_matches(doc):
    train, valid = doc.rows.rows
    assert "1 match" in train.count.value and "0 matches" in valid.count.value
    assert [d.matches for d in doc.report.definitions] == [1, 0]


def test_done_when_spaces_around_equals_is_explained_next_to_the_definition(doc):
    valid = doc.rows.rows[1]
    assert [w.code for w in valid.warnings] == ["spaces-around-equals"]
    shown = " ".join(child.value if hasattr(child, "value") else child.children[0].value
                     for child in valid.issues.children)
    assert "spaces around" in shown and "Valid_error = 0.324557" in shown
    assert doc.rows.rows[0].fix_buttons == []


def test_done_when_one_click_fixes_it_to_capture_the_value(doc):
    valid = doc.rows.rows[1]
    assert len(valid.fix_buttons) == 1
    valid.fix_buttons[0].click()
    assert valid.regex.value == r"Valid_error\s*=\s*(.*?);"
    assert "1 match" in valid.count.value
    row = doc.report.definitions[1].rows[0]
    assert (row.captured, row.value) == ("0.324557", 0.324557)
    assert doc.metric_definitions[1] == {"Name": "validation:error",
                                         "Regex": r"Valid_error\s*=\s*(.*?);"}
    assert valid.fix_buttons == []


def test_unmatched_metric_line_is_reported_in_the_html(doc):
    assert "contains &#x27;Valid_error&#x27; but no definition matched it" in doc.results.value


def test_typing_is_debounced_then_results_follow():
    timers = Timers()
    playground = RegexPlayground(sample_text=DOC, metric_definitions=DOC_DEFS, timer=timers)
    try:
        row = playground.rows.rows[0]
        before = playground.report
        row.regex.value = "Train_error=(.*?)x"
        row.regex.value = "Train_error=(.*?);  Valid"  # a second keystroke restarts the timer
        assert playground.report is before  # nothing recomputed synchronously on a keystroke
        first, second = timers.made
        assert first.cancelled and second.started and not second.cancelled
        assert second.seconds == DEBOUNCE_SECONDS
        second.fire()
        assert playground.report is not before
        assert playground.report.definitions[0].regex == "Train_error=(.*?);  Valid"
        assert "1 match" in row.count.value
    finally:
        playground.close()


def test_the_default_timer_refreshes_after_typing(doc):
    before = doc.report
    doc.rows.rows[0].regex.value = "Train_error=(.*?);  Valid"
    wait_until(lambda: doc.report is not before, 5 + DEBOUNCE_SECONDS, interval=0.02,
               what="the debounced refresh")
    assert doc.report.definitions[0].regex == "Train_error=(.*?);  Valid"


def test_typing_a_regex_changes_the_count(doc):
    doc.rows.rows[1].regex.value = r"Valid_error = (\d+\.\d+);"
    doc.refresh()
    assert "1 match" in doc.rows.rows[1].count.value


def test_sample_and_names_are_html_escaped_everywhere():
    evil_name = '"><img src=y onerror=alert(3)>'
    playground = RegexPlayground(XSS, [{"Name": evil_name, "Regex": "loss=(.*?);"},
                                       {"Name": "<b>x</b>", "Regex": "<img (src)=x"}])
    try:
        for html_text in (playground.results.value, playground.export.value,
                          playground.limits.value, playground.status.value,
                          *[c.value for r in playground.rows.rows for c in r.issues.children
                            if hasattr(c, "value")]):
            tags = {tag for tag, _ in Tags(html_text).tags}
            assert "img" not in tags and "script" not in tags
            assert not any("onerror" in attrs for _, attrs in Tags(html_text).tags)
        shown = Tags(playground.results.value).text  # what the browser shows as text
        assert "<img src=x onerror=alert(1)> loss=0.5;" in shown
        assert "</div><script>alert(2)</script> loss=0.25;" in shown
        assert evil_name in shown and evil_name in Tags(playground.export.value).text
        assert playground.report.definitions[0].points == 2
    finally:
        playground.close()


def test_match_and_group_are_highlighted_in_the_sample():
    report = build_report("x loss=0.5; y", [MetricDefinition("loss", "loss=(.*?);")])
    html_text = render_report(report)
    groups = re.findall(r'<span class="mw-hit mw-g1"[^>]*>([^<]*)</span>', html_text)
    assert groups == ["0.5"]
    hits = re.findall(r'<span class="mw-hit"[^>]*>([^<]*)</span>', html_text)
    assert hits == ["loss=", ";"]


def test_add_duplicate_remove_rows():
    playground = RegexPlayground(DOC, DOC_DEFS[:1])
    try:
        playground.rows.add_button.click()
        assert len(playground.rows.rows) == 2
        playground.rows.rows[0].duplicate.click()
        assert [d["Name"] for d in playground.metric_definitions] == [
            "train:error", "train:error (2)", ""]
        playground.rows.rows[2].remove.click()
        playground.rows.rows[1].remove.click()
        assert playground.metric_definitions == DOC_DEFS[:1]
        assert len(playground.report.definitions) == 1
    finally:
        playground.close()


def test_empty_row_shows_an_error_not_a_traceback():
    playground = RegexPlayground(DOC, [{"Name": "x", "Regex": "loss=(x"}])
    try:
        assert "error" in playground.rows.rows[0].count.value
        issue = playground.rows.rows[0].issues.children[0].value
        assert "does not compile" in issue and "position" in issue
        playground.rows.add_button.click()  # an empty row: no name, no regex
        assert playground.messages == []
    finally:
        playground.close()


def test_import_from_json_pairs_and_an_estimator():
    playground = RegexPlayground(DOC)
    try:
        playground.importer.text.value = json.dumps(DOC_DEFS)
        playground.importer.import_button.click()
        playground.importer.text.value = "lr=lr=([0-9.e-]+)"
        playground.importer.import_button.click()

        class Estimator:  # the one attribute of sagemaker.estimator.Estimator read here
            metric_definitions = [{"Name": "acc", "Regex": "acc=([0-9.]+)"}]

        playground.import_definitions(Estimator())
        assert [d["Name"] for d in playground.metric_definitions] == [
            "train:error", "validation:error", "lr", "acc"]
        playground.importer.text.value = "[not json"
        playground.importer.import_button.click()
        assert "cannot import" in playground.messages[-1]
        assert "cannot import" in playground.status.value
    finally:
        playground.close()


def test_suggestions_can_be_accepted_edited_or_dropped():
    sample = "1875/1875 - loss: 0.29 - accuracy: 0.91 - val_loss: 0.15 - val_accuracy: 0.95"
    playground = RegexPlayground(sample)
    try:
        names = [n.value for n, _ in playground.suggestions.items]
        assert names == ["loss", "accuracy", "val_loss", "val_accuracy"]
        name, _ = playground.suggestions.items[0]
        name.value = "train:loss"  # edit before accepting
        playground.suggestions.list.children[0].children[2].click()  # accept
        assert playground.metric_definitions[0]["Name"] == "train:loss"
        assert playground.report.definitions[0].rows[0].value == 0.29
        playground.suggestions.list.children[0].children[3].click()  # drop "accuracy"
        assert [n.value for n, _ in playground.suggestions.items] == ["val_loss", "val_accuracy"]
        playground.suggestions.accept_all.click()
        assert [d["Name"] for d in playground.metric_definitions] == [
            "train:loss", "val_loss", "val_accuracy"]
        assert playground.suggestions.layout.display == "none"
    finally:
        playground.close()


def test_python_export_evaluates_to_the_definitions():
    definitions = [MetricDefinition("validation:rmse",
                                    r".*\[[0-9]+\].*#011validation-rmse:([-+]?[0-9]*\.?[0-9]+)"),
                   MetricDefinition('say "hi"', "x=(\\d)\\"),
                   MetricDefinition("plain", "loss=(.*?);")]
    code = python_export(definitions)
    namespace = {}
    exec(code, namespace)
    assert namespace["metric_definitions"] == [d.to_sagemaker() for d in definitions]
    assert json.loads(json_export(definitions)) == [d.to_sagemaker() for d in definitions]


def test_export_panel_follows_the_definitions(doc):
    doc.rows.rows[1].fix_buttons[0].click()
    assert "Valid_error\\s*=\\s*(.*?);" in doc.export.value


def test_sparkline_is_a_plain_svg_polyline():
    svg = sparkline_svg([3, 2, 1.5, 1.2])
    tags = [tag for tag, _ in Tags(svg).tags]
    assert tags[:2] == ["svg", "polyline"] and "script" not in tags
    assert sparkline_svg([1.0]) == ""


def test_large_sample_counts_every_line_and_shows_few():
    line = "epoch=1 loss=0.5; some padding text to make the line longer than usual ok\n"
    text = line * (EDITABLE_CHARS // len(line) + 5000)
    playground = RegexPlayground(text, [{"Name": "loss", "Regex": "loss=(.*?);"}])
    try:
        assert playground.report.definitions[0].matches == text.count("\n")
        assert playground.sample.disabled and len(playground.sample.value) < 20_000
        assert "large sample" in playground.sample_note.value
        assert len(playground.results.value) < 300_000
        assert playground.sample_text == text
    finally:
        playground.close()


def test_catastrophic_regex_is_reported_as_disabled():
    playground = RegexPlayground(("a" * 40 + "!\n") * 20 + "loss=0.5;",
                                 [{"Name": "evil", "Regex": "(a|aa)+$"},
                                  {"Name": "loss", "Regex": "loss=(.*?);"}])
    try:
        assert "disabled" in playground.rows.rows[0].count.value
        assert "catastrophic" in playground.results.value
        assert "1 match" in playground.rows.rows[1].count.value
    finally:
        playground.close()


def test_from_file_and_missing_file(tmp_path):
    path = tmp_path / "train.log"
    path.write_bytes(b"[0]\ttrain-rmse:0.5\n[1]\ttrain-rmse:0.25\n\xff\xfe garbled\n")
    playground = RegexPlayground.from_file(path)
    try:
        assert [n.value for n, _ in playground.suggestions.items] == ["train:rmse"]
    finally:
        playground.close()
    missing = RegexPlayground.from_file(tmp_path / "nope.log")
    assert "cannot read" in missing.messages[0] and missing.sample_text == ""
    missing.close()


def test_from_command_uses_the_commands_output():
    code = "import sys\nfor k in range(3):\n    print(f'epoch={k} loss={1/(k+1):.3f};')"
    playground = RegexPlayground.from_command([sys.executable, "-c", code],
                                              [{"Name": "loss", "Regex": "loss=(.*?);"}],
                                              timeout=60)
    try:
        assert [r.value for r in playground.report.definitions[0].rows] == [1.0, 0.5, 0.333]
    finally:
        playground.close()


def test_from_command_that_cannot_start_shows_a_message():
    playground = RegexPlayground.from_command(["/nonexistent/train-script"])
    assert playground.messages and "/nonexistent/train-script" in playground.messages[0]
    playground.close()


def test_close_cancels_the_pending_refresh():
    timers = Timers()
    playground = RegexPlayground(sample_text=DOC, metric_definitions=DOC_DEFS, timer=timers)
    before = playground.report
    playground.rows.rows[0].regex.value = "Train_(error)"
    playground.close()
    [pending] = timers.made
    assert pending.cancelled
    pending.fire()  # a timer whose time came just as it was cancelled
    assert playground.report is before


@pytest.mark.aws
def test_from_job_reads_the_real_log_and_the_jobs_definitions(standin, job_name):
    standin.create_job(job_name, metric_definitions=DOC_DEFS, started_seconds_ago=60)
    standin.write_logs(job_name, "algo-1", ["Starting training", DOC, "[0]\ttrain-rmse:0.5"])
    standin.finish_job(job_name)
    playground = RegexPlayground.from_job(job_name, **standin.aws_kwargs)
    try:
        assert playground.messages == []
        assert playground.metric_definitions == DOC_DEFS
        assert "[0]#011train-rmse:0.5" in playground.sample_text  # as CloudWatch holds it
        assert [d.matches for d in playground.report.definitions] == [1, 0]
        assert "train:rmse" in [n.value for n, _ in playground.suggestions.items]
        assert playground.watch_button.layout.display == ""
        playground.rows.rows[1].fix_buttons[0].click()
        playground.watch_button.click()
        (plot,) = playground.watch_box.children
        assert type(plot).__name__ == "LivePlot"
        assert playground.messages == []
    finally:
        playground.close()


@pytest.mark.aws
def test_from_unknown_job_shows_a_message_instead_of_raising(standin):
    playground = RegexPlayground.from_job("no-such-job-anywhere", **standin.aws_kwargs)
    try:
        assert any("no-such-job-anywhere" in m for m in playground.messages)
        assert "no-such-job-anywhere" in playground.status.value
    finally:
        playground.close()


def test_playground_not_from_a_job_hides_the_watch_button(doc):
    assert doc.watch_button.layout.display == "none"
    assert doc.watch_job() is None and "did not come from a job" in doc.messages[-1]


def test_load_sample_row_reads_a_file_and_a_commands_output(tmp_path, doc):
    path = tmp_path / "run.log"
    path.write_text("Valid_error = 0.5;\nValid_error = 0.25;\n")
    doc.loader.kind.value, doc.loader.target.value = "file", str(path)
    doc.loader.load().join(30)
    assert doc.sample_text == path.read_text()
    assert "0 matches" in doc.rows.rows[1].count.value  # the broken regex, on the new sample

    code = "print('Valid_error=0.125;')"
    doc.loader.kind.value = "command"
    doc.loader.target.value = f"{sys.executable} -c \"{code}\""
    doc.loader.load().join(60)
    assert doc.report.definitions[1].rows[0].value == 0.125

    doc.loader.kind.value, doc.loader.target.value = "file", str(tmp_path / "missing.log")
    doc.loader.load().join(30)
    assert "cannot read" in doc.messages[-1] and "Valid_error=0.125;" in doc.sample_text


def test_export_leaves_out_a_broken_regex_and_warns_of_a_nested_repeat_on_one_line():
    definitions = [{"Name": "train:error", "Regex": "Train_error=(.*?;"},  # does not compile
                   {"Name": "nested", "Regex": "(a+)+$"},
                   {"Name": "validation:error", "Regex": "Valid_error = (.*?);"}]
    playground = RegexPlayground(sample_text=DOC, metric_definitions=definitions)
    try:
        assert wait_until(lambda: "left out" in playground.export.value, 10)
        export = playground.export.value
        blocks = re.findall(r'<pre class="mw-export-json"[^>]*>(.*?)</pre>', export, re.S)
        exported = json.loads(html.unescape(blocks[0]))
        assert [d["Name"] for d in exported] == ["nested", "validation:error"]
        notes = Tags(export).text
        assert "left out: metric definition 'train:error': the regex does not compile" in notes
        assert "warning: 'nested': the regex nests repeats" in notes
    finally:
        playground.close()
