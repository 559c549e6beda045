"""Fault codes and the fault log ring (MicroPython and CPython)."""

from check import eq, raises
from heatpump import fault_text as FT
from heatpump import faults as F


def test_every_code_has_one_row_and_a_description():
    eq(len(F.ORDER), F.N_CODES, "ORDER")
    eq(len(F.DETAIL), F.N_CODES, "DETAIL")
    eq(len(F.ENDS), F.N_CODES, "ENDS")
    eq(len(set(F.ORDER)), F.N_CODES, "each code once")
    for code in F.ORDER:
        assert code in FT.TEXT and FT.TEXT[code], code
        assert FT.hint(code), code
    eq(sorted(FT.TEXT), sorted(F.ORDER), "a text for each code, and no other")
    eq(F.LATCHED, ("E2", "E8", "A4", "E9"), "latched: the rows that say so")
    eq(F.ORDER[F.FREEZE], "E1", "freeze")
    eq(F.ORDER[F.VALVE_STUCK], "E8", "valve")
    eq(F.ORDER[F.CONFIG_FILE], "C1", "config")


def test_index_of_an_unknown_code():
    eq(F.index("E3"), F.OVERHEAT, "E3")
    msg = str(raises(ValueError, F.index, "E99"))
    assert "E99" in msg and "E1" in msg, msg


def test_the_log_keeps_the_last_twenty_newest_first():
    log = F.FaultLog()
    eq(log.entries(), [], "empty")
    for t in range(25):
        log.record(t % F.N_CODES, 100 + t, t)
    got = log.entries()
    eq(len(got), F.LOG_SIZE, "size")
    eq(got[0], (124, F.ORDER[24 % F.N_CODES], 24), "newest first")
    eq(got[-1], (105, F.ORDER[5], 5), "oldest kept")
    eq(sum(log.counts), 25, "every raise counted")
    log.clear()
    eq(log.entries(), [], "cleared")
    eq(sum(log.counts), 25, "counts survive a clear")
