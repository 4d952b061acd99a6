"""MetricOptions: one typed object, built in one place from every door's input."""

from __future__ import annotations

import argparse
import dataclasses

import pytest

from metricwidgets.core.parsing import DefinitionError, MetricDefinition
from metricwidgets.errors import InputError
from metricwidgets.options import MetricOptions, add_option_arguments


def _parse(*argv):
    parser = argparse.ArgumentParser()
    add_option_arguments(parser, "region", "profile", "endpoint_url", "source", "step",
                         "definitions", "definition")
    return MetricOptions.from_arguments(parser.parse_args(list(argv)))


def test_flags_and_keywords_give_the_same_options(tmp_path):
    defs = tmp_path / "defs.json"
    defs.write_text('[{"Name": "loss", "Regex": "loss=(\\\\S+)"}]')
    from_flags = _parse("--region", "eu-west-1", "--profile", "p", "--endpoint-url", "http://x",
                        "--source", "metrics", "--step", r"epoch=(\d+)", "--definitions",
                        str(defs), "--regex", "acc=acc=(\\S+)")
    from_keywords = MetricOptions.from_keywords(
        [{"Name": "loss", "Regex": r"loss=(\S+)"}, "acc=acc=(\\S+)"], "metrics", r"epoch=(\d+)",
        region="eu-west-1", profile="p", endpoint_url="http://x")
    assert from_flags == from_keywords
    assert [d.name for d in from_flags.definitions] == ["loss", "acc"]
    assert from_flags.aws.endpoint_url == "http://x" and from_flags.aws.region == "eu-west-1"


def test_the_options_are_frozen_and_step_travels_outside_the_aws_part():
    options = MetricOptions.from_keywords(step_definition=r"step=(\d+)")
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.region = "x"
    assert options.step_definition == r"step=(\d+)"
    assert not hasattr(options.aws, "step_definition")


def test_definition_and_regex_are_one_flag():
    assert _parse("--definition", "a=a=(\\d)").definitions == _parse(
        "--regex", "a=a=(\\d)").definitions == [MetricDefinition("a", "a=(\\d)")]


def test_unset_values_come_from_the_metricwidgets_environment(monkeypatch):
    monkeypatch.setenv("METRICWIDGETS_REGION", "ca-central-1")
    monkeypatch.setenv("METRICWIDGETS_ENDPOINT_URL", "http://127.0.0.1:1")
    options = _parse("--profile", "p")
    assert (options.region, options.profile, options.endpoint_url) == (
        "ca-central-1", "p", "http://127.0.0.1:1")


def test_no_definitions_is_none_so_a_command_gets_suggestions():
    assert _parse().metric_definitions is None


def test_the_server_config_gives_its_settings_and_the_environment_the_rest(monkeypatch):
    from metricwidgets.server.config import MetricWidgets
    from metricwidgets.sources.aws import AWSOptions

    monkeypatch.setenv("METRICWIDGETS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("METRICWIDGETS_REGION", "ca-central-1")  # the setting wins over it
    monkeypatch.delenv("METRICWIDGETS_PROFILE", raising=False)
    config = MetricWidgets(region="eu-north-1", profile="dev")
    options = config.options()
    assert (options.region, options.profile, options.endpoint_url, options.source,
            options.metric_definitions) == ("eu-north-1", "dev", "http://127.0.0.1:9", "logs",
                                            None)
    assert config.aws_options() == AWSOptions("eu-north-1", "dev", "http://127.0.0.1:9")


def test_bad_inputs_are_one_clear_error(tmp_path):
    with pytest.raises(InputError, match="no such definitions file"):
        _parse("--definitions", str(tmp_path / "missing.json"))
    with pytest.raises(DefinitionError, match="NAME=REGEX"):
        _parse("--definition", "no-equals-sign")
    with pytest.raises(TypeError, match="unknown option"):
        MetricOptions.from_keywords(regoin="eu-west-1")
