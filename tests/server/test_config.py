"""The server extension's settings: traitlets config first, then METRICWIDGETS_* variables."""

from __future__ import annotations

from traitlets.config import Config

from metricwidgets.server.config import MetricWidgets


def test_unset_options_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("METRICWIDGETS_REGION", "eu-west-1")
    monkeypatch.setenv("METRICWIDGETS_PROFILE", "dev")
    monkeypatch.setenv("METRICWIDGETS_ENDPOINT_URL", "http://127.0.0.1:5000")
    options = MetricWidgets().aws_options()
    assert (options.region, options.profile, options.endpoint_url) == (
        "eu-west-1", "dev", "http://127.0.0.1:5000")


def test_jupyter_config_beats_the_environment(monkeypatch):
    monkeypatch.setenv("METRICWIDGETS_REGION", "eu-west-1")
    config = Config({"MetricWidgets": {"region": "us-west-2", "cache_seconds": 2.5,
                                       "page_size": 20}})
    settings = MetricWidgets(config=config)
    assert settings.aws_options().region == "us-west-2"
    assert (settings.cache_seconds, settings.page_size) == (2.5, 20)


def test_without_environment_boto3_defaults_apply(monkeypatch):
    for key in ("METRICWIDGETS_REGION", "METRICWIDGETS_PROFILE", "METRICWIDGETS_ENDPOINT_URL"):
        monkeypatch.delenv(key, raising=False)
    options = MetricWidgets().aws_options()
    assert (options.region, options.profile, options.endpoint_url) == (None, None, None)


def test_every_setting_is_documented_and_configurable():
    traits = MetricWidgets.class_traits(config=True)
    assert {"region", "profile", "endpoint_url", "cache_seconds", "page_size",
            "retries"} <= set(traits)
    assert all(trait.help for trait in traits.values())


def test_the_kernel_is_told_the_region_boto3_resolves_when_none_is_configured(monkeypatch):
    for key in ("METRICWIDGETS_REGION", "METRICWIDGETS_PROFILE", "METRICWIDGETS_ENDPOINT_URL",
                "AWS_PROFILE", "AWS_REGION"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "sa-east-1")
    assert MetricWidgets().kernel_settings() == {
        "region": "sa-east-1", "profile": None, "endpoint_url": None}


def test_a_profile_the_server_cannot_load_still_reaches_the_kernel_as_given(monkeypatch):
    monkeypatch.setenv("METRICWIDGETS_PROFILE", "no-such-profile-anywhere")
    monkeypatch.setenv("METRICWIDGETS_REGION", "eu-west-1")
    assert MetricWidgets().kernel_settings()["profile"] == "no-such-profile-anywhere"
