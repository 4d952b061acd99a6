"""Series colours: distinct per job in order of arrival; validation a darker shade."""

import json
import os
import subprocess
import sys

from metricwidgets.widgets.liveplot import PALETTE, Palette, shade


def test_jobs_get_distinct_colours_in_order_and_keep_them():
    palette = Palette()
    colours = [palette.colour(f"job-{i}") for i in range(8)]
    assert colours == list(PALETTE[:8]) and len(set(colours)) == 8
    assert palette.colour("job-3") == PALETTE[3]


def test_roles_differ_by_shade_and_dash():
    palette = Palette()
    train = palette.style("job", "train")
    valid = palette.style("job", "validation")
    assert train[0] == PALETTE[0].lower() and valid[0] == shade(PALETTE[0], 0.55) != train[0]
    assert (train[1], valid[1]) == ("solid", "dashed")


def test_shade_darkens_and_lightens():
    assert shade("#808080", 0.5) == "#404040"
    assert shade("#000000", 2.0) == "#ffffff"


def test_colours_are_the_same_in_another_session():
    # A new kernel (another process, another hash seed) must colour the same jobs the same way,
    # so a re-run plot or a saved screenshot keeps its colours.
    owners = ["baseline", "variant-a", "job/algo-1", "job/algo-2", "ünïcode"]
    script = ("import json, sys; from metricwidgets.widgets.liveplot._palette import Palette; p = Palette(); "
              "print(json.dumps([p.style(o, r) for o in json.loads(sys.argv[1]) "
              "for r in ('train', 'validation')]))")
    here = Palette()
    expected = [list(here.style(o, r)) for o in owners for r in ("train", "validation")]
    for seed in ("1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", script, json.dumps(owners)], env=env,
                             capture_output=True, text=True, check=True).stdout
        assert json.loads(out) == expected
