"""The board's heap on the fixed-heap unix port (64-bit): a week of the board's life as
test_footprint.py's VM lives it, then the largest free block (fragmentation) and what
grew, names aside. Heap is a count, not a time: it may be a test."""

import pytest
from life_week import KB, board_image, lived_a_week

from tools.bench import upy as bench_upy

pytestmark = pytest.mark.slow  # not in make check: a simulated week of the board's life

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
    return board_image(tmp_path_factory)


def test_a_week_on_the_fixed_heap_unix_port_leaves_a_large_free_block(image):
    r = bench_upy.life_unix(image, 7, UNIX_HEAP)
    lived_a_week(r)
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
