"""A log parsed on several processes gives one process's points, in order, and its report.

The baseline is one :class:`LogParser` fed the log as a door feeds it without pieces (a file
in odd-sized chunks, a watch's batches one by one). The pieces are made small so that every
tricky place of the log lands on or near a cut: lines longer than a piece, CRLF, tabs
(``#011``), a line past the 256 KB cut, invalid and multibyte UTF-8, no final newline, an
empty log, drops of every kind before a piece's first step capture.
"""

from __future__ import annotations

import pickle
import random
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from tests.tricky_log import DEFINITIONS, STEP, tricky_log
from metricwidgets.core.parsing import (
    CHUNK_CHARS,
    IN_FLIGHT,
    Feed,
    LogParser,
    ParallelParse,
    ParseResult,
    TextSpan,
    feed_into,
    feed_pieces,
    file_pieces,
    line_ranges,
    text_pieces,
)

PIECE_SIZES = [997, 4096, 65_536]


def _parser(step=None, escape=True) -> LogParser:
    return LogParser(DEFINITIONS, escape=escape, step_definition=step)


def _one_process(data: bytes, step=None, chunk: int = 1001):
    parser = _parser(step)
    results = [parser.feed(data[at:at + chunk]) for at in range(0, len(data), chunk)]
    results.append(parser.finish())
    return parser, ParseResult.concat(results)


def _same(got: tuple, expected: tuple) -> None:
    (parser_a, a), (parser_b, b) = got, expected
    for name in ("metric", "line", "value", "step", "timestamp"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert repr(a.drops) == repr(b.drops)  # repr: a Drop's NaN value is not equal to itself
    assert repr(parser_a.stats) == repr(parser_b.stats)
    assert (parser_a.lines, parser_a.cut_lines, parser_a.cut_chars, parser_a.step_disabled) == \
        (parser_b.lines, parser_b.cut_lines, parser_b.cut_chars, parser_b.step_disabled)
    np.testing.assert_array_equal(parser_a.step, parser_b.step)


def _in_pool(pieces, step=None, escape=True):
    parser = _parser(step, escape)
    parallel = ParallelParse(parser, workers=2, min_bytes=0)
    result = parallel.parse(pieces)
    assert parallel.pooled and parallel.fallback is None
    return parser, result


@pytest.fixture(scope="module")
def tricky_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("parallel") / "tricky.log"
    path.write_bytes(tricky_log())
    return path


@pytest.mark.parametrize("piece_bytes", PIECE_SIZES)
@pytest.mark.parametrize("step", [None, STEP], ids=["no-step", "step"])
def test_a_file_cut_into_pieces_gives_one_processs_points_and_report(tricky_file, piece_bytes,
                                                                     step):
    expected = _one_process(tricky_file.read_bytes(), step)
    pieces = file_pieces(str(tricky_file), piece_bytes)
    assert len(pieces) > 10
    got = _in_pool(pieces, step)
    _same(got, expected)
    parser, result = got
    assert parser.cut_lines == 1 and result.line[-1] == parser.lines  # the unfinished last line
    assert {"not-a-number", "nan", "inf", "out-of-range", "empty"} <= set(
        parser.stats[2].dropped)


@pytest.mark.parametrize("as_bytes", [True, False], ids=["bytes", "str"])
@pytest.mark.parametrize("piece_chars", PIECE_SIZES)
def test_a_text_cut_into_pieces_gives_one_processs_points(piece_chars, as_bytes):
    data = tricky_log(seed=5)
    text = data if as_bytes else data.decode("utf-8", "surrogateescape")
    parser = _parser(STEP)
    expected = ParseResult.concat([parser.feed(text), parser.finish()])
    _same(_in_pool(text_pieces(text, piece_chars), STEP), (parser, expected))


def _batches(data: bytes, seed: int = 9) -> list[Feed]:
    """``data`` as a watch holds it: raw chunks of odd sizes, each stamped, one stream end."""
    rng = random.Random(seed)
    batches, at, k = [], 0, 0
    while at < len(data):
        size = rng.randrange(1, 9000)
        batches.append(Feed(text=data[at:at + size], timestamp=1_700_000_000.0 + k,
                            ends_stream=k == 40))
        at, k = at + size, k + 1
    return batches


@pytest.mark.parametrize("piece_size", PIECE_SIZES)
def test_a_watchs_held_batches_cut_into_pieces_leave_the_parser_as_feeding_them_would(
        piece_size):
    batches = _batches(tricky_log(seed=7))
    single = _parser(STEP)
    expected = ParseResult.concat([r for b in batches for r in feed_into(single, b)])

    pieces, rest = feed_pieces(batches, piece_size)
    assert rest and rest[-1].text.endswith(b"tail=10")  # the unfinished line, fed here
    parser = _parser(STEP)
    parallel = ParallelParse(parser, workers=2, min_bytes=0)
    results = list(parallel.results(pieces))
    results += [r for b in rest for r in feed_into(parser, b)]
    assert parallel.pooled
    _same((parser, ParseResult.concat(results)), (single, expected))
    # Both parsers go on alike: the held unfinished line ends with the next text.
    more = Feed(text="5 and more\nloss=11;\n".encode(), timestamp=1_800_000_000.0)
    _same((parser, ParseResult.concat(list(feed_into(parser, more)))),
          (single, ParseResult.concat(list(feed_into(single, more)))))


@pytest.mark.parametrize("piece_size", PIECE_SIZES)
def test_cloudwatch_lines_cut_into_pieces_keep_their_timestamps(piece_size):
    lines = tricky_log(seed=11).decode("utf-8", "replace").split("\n")
    stamps = [1_700_000_000.0 + k / 3 for k in range(len(lines))]
    single = _parser(STEP, escape=False)
    expected = single.feed_lines(lines, stamps)
    pieces, rest = feed_pieces([Feed(lines=lines, timestamps=stamps)], piece_size)
    assert rest == [] and len(pieces) > 10
    got = _in_pool(pieces, STEP, escape=False)
    _same(got, (single, expected))
    assert np.isfinite(got[1].timestamp).all()


def test_an_empty_log_gives_nothing_either_way(tmp_path):
    path = tmp_path / "empty.log"
    path.write_bytes(b"")
    assert file_pieces(str(path)) == [] and text_pieces("") == []
    parser = _parser(STEP)
    assert len(ParallelParse(parser, workers=2, min_bytes=0).parse([])) == 0
    assert parser.lines == 0


def test_pieces_end_at_line_ends_and_cover_the_file(tmp_path):
    path = tmp_path / "log"
    path.write_bytes("é\n".encode() * 5000 + b"tail without newline")
    ranges = line_ranges(str(path), 1000)
    data = path.read_bytes()
    assert ranges[0][0] == 0 and ranges[-1][1] == len(data)
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:]))
    assert all(data[end - 1:end] == b"\n" for _, end in ranges[:-1])


def test_a_small_log_is_parsed_here_without_starting_a_process(tricky_file):
    parser = _parser()
    parallel = ParallelParse(parser, workers=2)  # the default threshold: far above this log
    expected = _one_process(tricky_file.read_bytes())
    _same((parser, parallel.parse(file_pieces(str(tricky_file), 4096))), expected)
    assert not parallel.pooled and parallel.most_in_flight == 0


def test_a_definition_switched_off_in_one_piece_yields_nothing_after_it(tricky_file):
    parser = _parser()
    results = ParallelParse(parser, workers=2, min_bytes=0).results(
        file_pieces(str(tricky_file), 4096))
    first = next(results)
    parser.stats[0].disabled = "loss: switched off (as the time guard would)"
    later = ParseResult.concat(list(results))
    assert (first.metric == 0).any() and not (later.metric == 0).any()
    assert (later.metric == 1).any()


# -- memory, bounded by design --------------------------------------------------------------

def test_a_file_piece_travels_as_its_path_and_offsets_and_is_read_in_chunks(tmp_path):
    path = tmp_path / "big.log"
    path.write_bytes(b"loss=1;\n" * ((3 * CHUNK_CHARS) // 8 + 5))
    (piece,) = file_pieces(str(path), piece_bytes=1 << 30)
    assert len(pickle.dumps(piece)) < 200  # not the 12 MB it stands for
    sizes = [len(feed.text) for feed in piece.feeds()]
    assert max(sizes) == CHUNK_CHARS and sum(sizes) == path.stat().st_size


def test_a_text_piece_sends_only_its_own_slice():
    text = "loss=1;\n" * 100_000
    pieces = text_pieces(text, 8000)
    sent = pickle.loads(pickle.dumps(pieces[3]))
    assert isinstance(sent, TextSpan) and sent.text == text[pieces[3].start:pieces[3].end]
    assert len(pickle.dumps(pieces[3])) < 2 * pieces[3].size < len(text) / 20


def test_at_most_two_pieces_per_worker_are_out_at_once_however_long_the_log():
    text = "[1] loss=1;\n" * 50_000
    pieces = text_pieces(text, 2000)
    assert len(pieces) > 200
    parallel = ParallelParse(_parser(), workers=2, min_bytes=0)
    seen = 0
    for result in parallel.results(pieces):
        seen += len(result)
        assert parallel.most_in_flight <= IN_FLIGHT * 2
    assert seen == 50_000 and parallel.most_in_flight == IN_FLIGHT * 2


# -- processes ------------------------------------------------------------------------------

def test_workers_that_cannot_start_leave_the_parse_to_this_process_with_one_warning(tmp_path):
    """A script read from stdin cannot be imported again by a worker: the workers die at
    start, and the parse goes on here (same points, one warning on stderr)."""
    path = tmp_path / "tricky.log"
    path.write_bytes(tricky_log(lines=1500))
    script = textwrap.dedent(f"""
        import logging, sys
        logging.basicConfig(level=logging.WARNING, format="%(message)s")
        from metricwidgets.core.parsing import LogParser, MetricDefinition, ParallelParse
        from metricwidgets.core.parsing import file_pieces
        definitions = [MetricDefinition("loss", r"loss=(\\S+?);")]
        for workers in (1, 2):
            parser = LogParser(definitions)
            parallel = ParallelParse(parser, workers=workers, min_bytes=0)
            result = parallel.parse(file_pieces({str(path)!r}, 2000))
            print(workers, result.line.tolist(), result.value.tolist(), parser.lines,
                  parallel.fallback is not None)
    """)
    done = subprocess.run([sys.executable, "-"], input=script, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    one, two = done.stdout.splitlines()
    assert one.split(" ", 1)[1].rsplit(" ", 1)[0] == two.split(" ", 1)[1].rsplit(" ", 1)[0]
    assert one.endswith("False") and two.endswith("True")
    warnings = [line for line in done.stderr.splitlines() if "worker processes failed" in line]
    assert len(warnings) == 1 and "parsing in this process instead" in warnings[0]



# -- the doors: parse_log on a text or a file ------------------------------------------------

@pytest.fixture
def small_pieces(monkeypatch):
    """Pieces of 4 KB, and no threshold: a small log goes through worker processes."""
    monkeypatch.setattr("metricwidgets.core.parsing._pieces.PIECE_BYTES", 4096)
    monkeypatch.setattr("metricwidgets.core.parsing._parallel.PARALLEL_MIN_BYTES", 0)


def _processes(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if "process(es)" in r.getMessage()]


@pytest.mark.parametrize("kind", ["str", "bytes", "path"])
def test_parse_log_on_every_core_gives_the_frame_and_warnings_of_one_process(
        tricky_file, small_pieces, caplog, kind):
    import pandas as pd

    from metricwidgets.core.parsing import parse_log

    data = tricky_file.read_bytes()
    log = {"str": data.decode("utf-8", "replace"), "bytes": data, "path": tricky_file}[kind]
    caplog.set_level("DEBUG", logger="metricwidgets.core.parsing._parallel")
    with pytest.warns(Warning) as said_one:
        one = parse_log(log, DEFINITIONS, step_definition=STEP, workers=1)
    with pytest.warns(Warning) as said_two:
        two = parse_log(log, DEFINITIONS, step_definition=STEP, workers=2)
    assert _processes(caplog)[-1].endswith("on 2 process(es)")
    assert _processes(caplog)[0].endswith("on 1 process(es)")
    pd.testing.assert_frame_equal(one, two)
    assert one.attrs == two.attrs and one.attrs["stats"]["cut_lines"] == 1
    assert [str(w.message) for w in said_one] == [str(w.message) for w in said_two]


def test_parse_log_on_a_missing_file_is_one_line():
    import pathlib

    from metricwidgets.core.parsing import parse_log
    from metricwidgets.errors import InputError

    with pytest.raises(InputError, match=r"^/no/such\.log: No such file or directory$"):
        parse_log(pathlib.Path("/no/such.log"), DEFINITIONS)


@pytest.mark.parametrize("guarded", [False, True], ids=["unguarded", "guarded"])
def test_a_users_script_is_never_run_again_by_the_workers(tmp_path, guarded):
    """A worker imports the main module again: a script without the __main__ guard would
    run its top level in every worker, so parse_log keeps to one process there."""
    from metricwidgets.core.parsing import PARALLEL_MIN_BYTES

    log = tmp_path / "large.log"
    log.write_bytes(b"[1] loss=0.5; lr=0.1 " + b"x" * 200 + b"\n")
    with open(log, "ab") as handle:
        handle.write((b"[2] loss=0.25; lr=0.1 " + b"y" * 200 + b"\n") *
                     (PARALLEL_MIN_BYTES // 200 + 1000))
    work = textwrap.dedent(f"""
        print("the script's top level ran")
        frame = parse_log(pathlib.Path({str(log)!r}), [{{"Name": "loss",
                                                        "Regex": r"loss=(\\S+?);"}}])
        print(len(frame))
    """)
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent("""
        import logging, pathlib
        from metricwidgets.core.parsing import parse_log
        logging.getLogger("metricwidgets").setLevel(logging.DEBUG)
        logging.getLogger("metricwidgets").addHandler(logging.StreamHandler())
    """) + (("if __name__ == '__main__':\n" + textwrap.indent(work, "    ")) if guarded
            else work))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("the script's top level ran") == 1
    assert int(done.stdout.split()[-1]) == PARALLEL_MIN_BYTES // 200 + 1001
    said = [line for line in done.stderr.splitlines() if "process(es)" in line]
    assert len(said) == 1 and said[0].endswith(f"on {2 if guarded else 1} process(es)")


def test_while_one_parse_has_the_workers_another_is_parsed_here_with_the_same_points(
        tricky_file):
    """A backfill parses several jobs at once: one pool of a worker per CPU at a time, not
    one each."""
    pieces = file_pieces(str(tricky_file), 4096)
    first = ParallelParse(_parser(), workers=2, min_bytes=0)
    running = first.results(pieces)
    next(running)  # the first parse holds its workers until it is read to its end
    parser = _parser()
    second = ParallelParse(parser, workers=2, min_bytes=0)
    _same((parser, second.parse(pieces)), _one_process(tricky_file.read_bytes()))
    assert first.pooled and not second.pooled and second.most_in_flight == 0
    list(running)
    third = ParallelParse(_parser(), workers=2, min_bytes=0)
    third.parse(pieces)
    assert third.pooled  # the workers are free again
