"""A followed log file loses no line and joins none: rotation, truncation, non-regular files.

Real files in a temporary directory; the parsed values are checked through a real
:class:`~metricwidgets.polling.Watch` (the source's batches reach the real parser).
"""

from __future__ import annotations

import os
import threading

import pytest

from metricwidgets.core.parsing import MetricDefinition
from metricwidgets.errors import InputError
from metricwidgets.sources.local_file import _MAX_READ, LocalFileSource
from metricwidgets.polling import Watch
from tests.waiting import poll_until
from metricwidgets.options import MetricOptions

DEFS = [MetricDefinition("loss", r"loss=([0-9]+)")]
#: Lines padded so that a few hundred thousand make more than two polls' worth of bytes.
_PAD = "x" * 60


def _lines(first: int, count: int) -> bytes:
    return "".join(f"step {i} {_PAD} loss={i}\n" for i in range(first, first + count)).encode()


def _values(watch) -> list[int]:
    frame = watch.store.to_dataframe()
    return [int(v) for v in frame["value"].tolist()]


def _poll_until_idle(watch, source, limit=50):
    """Poll until a poll brings nothing (the source is drained)."""
    for _ in range(limit):
        before = (source.position, source.rotations, source.truncations)
        watch.poll_once()
        if (source.position, source.rotations, source.truncations) == before:
            return
    raise AssertionError("the file source never drained")


def test_a_rotated_file_with_megabytes_unread_is_read_to_its_end_first(tmp_path, poller):
    path = tmp_path / "train.log"
    old = _lines(0, 300_000)  # ~25 MB: three polls' worth
    assert len(old) > 2 * _MAX_READ + 4 * 1024 * 1024
    path.write_bytes(old[:-3])  # the writer is mid-line when the file is rotated
    watch = Watch.for_file(path, MetricOptions.from_keywords(DEFS), start=False, poller=poller)
    source = watch.sources[0]
    watch.poll_once()
    assert source.position < len(old) - _MAX_READ  # 20+ MB still unread
    with open(path, "ab") as handle:
        handle.write(old[-3:])  # the old writer finishes its line after the rename
        os.rename(path, tmp_path / "train.log.1")
        path.write_bytes(_lines(300_000, 1000))
    _poll_until_idle(watch, source)
    assert _values(watch) == list(range(301_000))
    frame = watch.store.to_dataframe()
    assert frame["line"].tolist() == list(range(1, 301_001))
    assert source.rotations == 1
    watch.close()


def test_a_last_line_without_newline_is_not_glued_to_the_new_file(tmp_path, poller):
    path = tmp_path / "train.log"
    path.write_bytes(b"loss=1\nloss=2")
    watch = Watch.for_file(path, MetricOptions.from_keywords(DEFS), start=False, poller=poller)
    watch.poll_once()
    os.rename(path, tmp_path / "train.log.1")
    path.write_bytes(b"loss=3\n")
    watch.poll_once()
    assert _values(watch) == [1, 2, 3]
    assert watch.store.to_dataframe()["line"].tolist() == [1, 2, 3]
    watch.close()


def test_truncate_and_regrow_within_one_poll_loses_no_line(tmp_path, poller):
    path = tmp_path / "train.log"
    path.write_bytes(b"loss=1\nloss=2\n")
    watch = Watch.for_file(path, MetricOptions.from_keywords(DEFS), start=False, poller=poller)
    source = watch.sources[0]
    watch.poll_once()
    with open(path, "wb") as handle:  # same inode, and larger than before by the next poll
        handle.write(b"loss=10\nloss=20\nloss=30\n")
    watch.poll_once()
    assert _values(watch) == [1, 2, 10, 20, 30]
    assert source.truncations == 1
    watch.close()


def test_truncate_and_regrow_with_the_same_first_line_is_still_seen(tmp_path):
    path = tmp_path / "train.log"
    path.write_bytes(b"start\nloss=1\n")
    source = LocalFileSource(path)
    source.poll()
    with open(path, "wb") as handle:
        handle.write(b"start\nloss=7\nloss=8\n")
    text = b"".join(b.text for b in source.poll().logs)
    assert text == b"start\nloss=7\nloss=8\n"
    assert source.truncations == 1


def test_a_truncation_ends_the_unfinished_line_of_the_old_content(tmp_path, poller):
    path = tmp_path / "train.log"
    path.write_bytes(b"loss=1\nloss=2")
    watch = Watch.for_file(path, MetricOptions.from_keywords(DEFS), start=False, poller=poller)
    watch.poll_once()
    path.write_bytes(b"loss=3\n")  # shorter: a plain truncation
    watch.poll_once()
    assert _values(watch) == [1, 2, 3]
    watch.close()


def test_the_old_file_is_kept_while_the_path_is_missing(tmp_path):
    path = tmp_path / "train.log"
    path.write_bytes(b"a=1\n")
    source = LocalFileSource(path)
    source.poll()
    os.rename(path, tmp_path / "train.log.1")
    with open(tmp_path / "train.log.1", "ab") as handle:
        handle.write(b"a=2\n")
    update = source.poll()
    assert [b.text for b in update.logs] == [b"a=2\n"]
    assert not update.logs[0].ends_stream
    path.write_bytes(b"b=1\n")
    update = source.poll()
    assert [(b.text, b.ends_stream) for b in update.logs] == [(b"", True), (b"b=1\n", False)]


@pytest.mark.parametrize("path, kind", [("/dev/zero", "a character device"),
                                        ("/dev/null", "a character device")])
def test_a_device_is_refused_with_one_line(path, kind, poller):
    with pytest.raises(InputError) as caught:
        Watch.for_file(path, MetricOptions.from_keywords(DEFS), start=False, poller=poller)
    message = str(caught.value)
    assert kind in message and path in message and "\n" not in message


def test_a_directory_is_refused(tmp_path):
    with pytest.raises(InputError, match="a directory"):
        LocalFileSource(tmp_path)


def test_a_path_that_becomes_a_directory_is_refused_at_the_poll(tmp_path):
    source = LocalFileSource(tmp_path / "later")
    source.poll()
    (tmp_path / "later").mkdir()
    with pytest.raises(InputError, match="a directory"):
        source.poll()


def test_a_named_pipe_is_followed_without_blocking(tmp_path, poller):
    path = tmp_path / "train.pipe"
    os.mkfifo(path)
    watch = Watch.for_file(path, MetricOptions.from_keywords(DEFS), start=False, poller=poller)
    watch.poll_once()  # no writer yet: must return, not block the poller
    done = threading.Event()

    def write():
        with open(path, "wb") as handle:
            handle.write(b"loss=1\nloss=2\n")
        done.set()

    writer = threading.Thread(target=write)
    writer.start()
    assert poll_until(lambda: (watch.poll_once() or True) and _values(watch) == [1, 2], 10)
    writer.join(10)
    assert done.is_set()
    watch.close()
