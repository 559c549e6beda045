"""What a week of the board's life must have held, whichever MicroPython ran it
(tools/bench/upy_bench/life.py; test_footprint.py and test_footprint_unix.py)."""

from tools.bench import upy as bench_upy

KB = 1024


def board_image(tmp_path_factory):
    """The deployed set as the board's flash holds it, in a fresh folder."""
    return bench_upy.board_image(str(tmp_path_factory.mktemp("board")))


def lived_a_week(r):
    assert r["commands"] == 7 * 24 + 1, "a command every hour, and one at power-up"
    assert r["refused"] >= 20, "the out-of-range ones were refused"
    assert r["tracebacks"] == [], "a user's mistake gets an error, not a traceback"
    assert r["defrosts"] >= 5, "the frosty days defrosted"
    assert r["selftest"] == "done, mode set again", "the self-test ran to its end"
    assert r["starts"] > 100, "the compressor ran all week"
