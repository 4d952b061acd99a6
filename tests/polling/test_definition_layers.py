"""The layers of definitions and their merge."""

from __future__ import annotations

import pytest

from metricwidgets.core.parsing import DefinitionError, MetricDefinition
from metricwidgets.polling.definition_layers import (
    layered_definitions,
    load_user_definitions,
    merge_definitions,
)


def test_user_definitions_win_over_the_job_ones_by_name():
    job = [MetricDefinition("loss", "loss = (\\S+)"), MetricDefinition("acc", "acc=(\\S+)")]
    user = [MetricDefinition("loss", "loss=(\\S+)"), MetricDefinition("lr", "lr=(\\S+)")]
    merged = merge_definitions(job, user)
    assert {d.name: d.regex for d in merged} == {
        "acc": "acc=(\\S+)", "loss": "loss=(\\S+)", "lr": "lr=(\\S+)"}



def test_the_user_wins_over_the_job_which_wins_over_the_suggestions():
    suggested = [MetricDefinition("loss", "s=(\\S+)"), MetricDefinition("acc", "s=(\\S+)")]
    job = [MetricDefinition("loss", "j=(\\S+)")]
    user = [MetricDefinition("acc", "u=(\\S+)")]
    merged = layered_definitions(suggested, job, user)
    assert {d.name: d.regex for d in merged} == {"loss": "j=(\\S+)", "acc": "u=(\\S+)"}


def test_a_user_regex_that_does_not_compile_is_refused_with_its_position():
    with pytest.raises(DefinitionError, match="position"):
        load_user_definitions([{"Name": "x", "Regex": "loss=([0-9"}])
