"""Parsing on every core inside a real Jupyter kernel, where other threads run.

A kernel has threads of its own (IOPub, heartbeat, control) and a watch adds its poller
thread, which is the thread that parses a job's held text again when its definitions change.
Worker processes come from a fork server, not ``fork`` (which copies locks those threads
hold): here a live watch on a large file gets a new definition, the re-parse goes to two
processes, and the points are those of ``parse_log`` in one process.
"""

from __future__ import annotations

import json
import os
import pathlib

import pytest

from metricwidgets.core.parsing import PARALLEL_MIN_BYTES, cpus
from tests.tricky_log import DEFINITIONS, tricky_log

ROOT = pathlib.Path(__file__).resolve().parents[2]

KERNEL_CODE = """
import json, logging, pathlib, time
from metricwidgets.core.parsing import parse_log
from metricwidgets.options import MetricOptions
from metricwidgets.polling.watch import Watch
from tests.waiting import wait_until

said = []
class Said(logging.Handler):
    def emit(self, record):
        said.append(record.getMessage())
logger = logging.getLogger("metricwidgets.core.parsing._parallel")
logger.setLevel(logging.DEBUG)
logger.addHandler(Said())

path, definitions = {path!r}, json.loads({definitions!r})
alone = parse_log(pathlib.Path(path), definitions, workers=1)
watch = Watch.for_file(path, MetricOptions.build(metric_definitions=definitions[:1]))
try:
    loss = (alone.metric == definitions[0]["Name"]).sum()
    wait_until(lambda: len(watch.store.to_dataframe()) == loss, 60, what="the whole file read")
    assert watch.set_definitions(definitions).wait(60), "the re-parse did not end"
    frame = watch.store.to_dataframe()
    got = {{m: frame[frame.metric == m].sort_values("line")[["line", "value"]].values.tolist()
           for m in set(alone.metric)}}
    want = {{m: alone[alone.metric == m][["line", "value"]].values.tolist()
            for m in set(alone.metric)}}
    print(json.dumps({{"same": got == want, "metrics": sorted(got),
                      "said": [m for m in said if "process(es)" in m]}}))
finally:
    watch.close()
"""


def test_a_watch_in_a_kernel_parses_its_held_text_again_on_two_processes(tmp_path):
    from jupyter_client.manager import start_new_kernel

    if cpus() < 2:
        pytest.skip("one CPU: nothing to parse in parallel")
    path = tmp_path / "large.log"
    sample = len(tricky_log(seed=19, lines=4000))
    # Ended by a newline: a watch of a file keeps its unfinished last line for later.
    path.write_bytes(tricky_log(seed=19, lines=int(4000 * 1.2 * PARALLEL_MIN_BYTES / sample))
                     + b"\n")
    definitions = json.dumps([d.to_sagemaker() for d in DEFINITIONS])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]))
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(ROOT), env=env)
    out: list[str] = []

    def hook(message):
        content = message["content"]
        if message["msg_type"] == "stream":
            out.append(content["text"])
        elif message["msg_type"] == "error":
            out.append("\n".join(content["traceback"]))

    try:
        reply = client.execute_interactive(
            KERNEL_CODE.format(path=str(path), definitions=definitions), timeout=300,
            output_hook=hook)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    assert reply["content"]["status"] == "ok", "".join(out)
    result = json.loads("".join(out).strip().splitlines()[-1])
    assert result["same"] and result["metrics"] == ["acc", "f1", "loss", "tail"]
    # parse_log alone (one process), then the re-parse of the watch's one host: two processes
    assert result["said"][0].endswith("on 1 process(es)")
    assert result["said"][-1].endswith("on 2 process(es)")
