"""The board's heap as it lives: the deployed .mpy set on the board's import path,
boot.py, then the app as main.py starts it with every task and the REPL, then a week
with a command at the REPL every hour, flash writes, defrost days and a self-test
(tools/bench/upy_bench/life.py). Heap is a count, not a time: it may be a test.

The figures are the firmware's: the live heap minus the rig's own (the VM, the rig
and the stand-in `machine`, measured before boot.py runs).
"""

import os

import pytest

from tools import FIRMWARE
from tools.bench import upy as bench_upy

pytestmark = pytest.mark.slow  # not in make check: a simulated week of the board's life, twice

KB = 1024
# Ceilings: what the firmware takes now plus a few KB, so that growth fails here.
# Issue 13's targets are 56 KB after boot and 72 KB at any sample of the week, and a
# 24 KB free block after the week on the unix port in 160 KB: not reached yet (the
# README's footprint table has the figures, docs/design-notes.md what is left). The
# redesign of issue 14 (each part's steps and view as methods) cost about 3 KB.
BOOT_CEILING = 92 * KB  # measured 86.6-88.2 KB; 89.8 KB with issue 15's aux and the split
# The VM's week grows by about 11 KB or not as the names the week interns do or do not
# overflow the 6th pool of interned names (10.9 KB for the 7th in the 32-bit VM, measured
# with qstr_info: docs/design-notes.md, "Winter and cycling"); the unix port's figures
# hold the names apart (UNIX_NEW_NAMES, UNIX_GROWTH), so the VM's are held loosely here.
STEADY_CEILING = 104 * KB  # after the week: 89.2 KB, or 98.3-101.5 KB with the 7th pool
# The self-test's machine and one step module are in the heap while it runs (108.6 KB
# sampled then, 118.5-122.1 KB with the 7th pool) and until its report is on flash.
# Issue 15's aux staging and the app's split (keeper, crashes) took about 2 KB (3 Dec).
PEAK_CEILING = 126 * KB
# The week's growth on the unix port, steady minus boot, less what the names interned in
# it took (MicroPython never frees them): 1.8 KB.
UNIX_GROWTH = 6 * KB
# Names the week interns (the self-test's and the REPL commands' modules): 164. The
# pools they go in double: the week's 164 overflow the 6th pool, and the 7th takes
# 16 KB at once (qstr_info; about 9 KB on the 32-bit board), for the unit's lifetime.
UNIX_NEW_NAMES = 250
UNIX_HEAP = "256K"  # the week needs more than a day's 208 KB (see the bench)
# The largest free block after the week there: 30.8-35.4 KB (58.8 KB before the 7th
# pool of names landed in it; it moves by a few KB with the layout: the app's split
# into keeper and crashes took it from 34.8 to 30.8 KB), since app.build() has the
# collector run every 8 KB allocated (7.9 KB without it: the free heap in pieces).
# Issue 13's figure is the floor.
FREE_FLOOR = 24 * KB


@pytest.fixture(scope="module")
def image(tmp_path_factory):
    return bench_upy.board_image(str(tmp_path_factory.mktemp("board")))


def _lived_a_week(r):
    assert r["commands"] == 7 * 24 + 1, "a command every hour, and one at power-up"
    assert r["refused"] >= 20, "the out-of-range ones were refused"
    assert r["tracebacks"] == [], "a user's mistake gets an error, not a traceback"
    assert r["defrosts"] >= 5, "the frosty days defrosted"
    assert r["selftest"] == "done, mode set again", "the self-test ran to its end"
    assert r["starts"] > 100, "the compressor ran all week"


def _let_go(dest) -> bool:
    # A module marked to be let go after use (lazy.py) says so at its top.
    with open(os.path.join(FIRMWARE, dest[: -len(".mpy")] + ".py")) as fh:
        return "\nLET_GO = True" in fh.read()


def test_booted_and_a_week_of_running_in_the_32_bit_vm(image):
    r = bench_upy.life_vm(image, 7)
    _lived_a_week(r)
    mpys = [f for f in bench_upy.deploy_files("esp32-devkitc") if f.dest.endswith(".mpy")]
    core = sorted(bench_upy.module_name(f.dest) for f in mpys if not _let_go(f.dest))
    assert r["loaded"] == core, "once booted: the running unit's modules, none let go"
    boot, steady, peak = r["firmware_boot"], r["firmware_steady"], r["firmware_max"]
    assert boot <= BOOT_CEILING, f"{boot} B of heap once booted and controlling"
    assert steady <= STEADY_CEILING, f"{steady} B after the week: the heap grows"
    assert peak <= PEAK_CEILING, f"{peak} B at {r['max_at']}"


def test_a_week_on_the_fixed_heap_unix_port_leaves_a_large_free_block(image):
    r = bench_upy.life_unix(image, 7, UNIX_HEAP)
    _lived_a_week(r)
    names, names_at_boot = r["qstr_end"], r["qstr_booted"]
    new_names = names["names"] - names_at_boot["names"]
    assert new_names <= UNIX_NEW_NAMES, f"{new_names} names interned over the week"
    # What the interned names took is never freed and not a leak: the rest must not grow.
    growth = r["firmware_steady"] - r["firmware_boot"]
    growth -= names["bytes"] - names_at_boot["bytes"]
    assert growth <= UNIX_GROWTH, f"the heap grew {growth} B over the week, names aside"
    assert r["largest_free"] >= FREE_FLOOR, (
        f"largest free block {r['largest_free']} B of {r['heap_total']} B: fragmented"
    )
