"""Assertion helpers that work under MicroPython and CPython alike (no pytest there)."""


def raises(exc_type, fn, *args, **kwargs):
    """Call fn and return the exception of exc_type it raised; fail if it did not."""
    try:
        fn(*args, **kwargs)
    except exc_type as e:
        return e
    raise AssertionError("%s did not raise %s" % (fn, exc_type.__name__))


def eq(got, want, what=""):
    if got != want:
        raise AssertionError("%s: got %r, want %r" % (what or "value", got, want))


class Skip(Exception):
    """A test that does not apply to this interpreter (run_module prints SKIP)."""


def board_wrap_only():
    """Skip unless this interpreter's ticks wrap at 2**30 ms like the board's (the
    64-bit unix port's wrap at 2**62)."""
    from heatpump import ticks

    if not ticks.BOARD_WRAP:
        raise Skip("ticks wrap at 2**62 on this port, not at 2**30")
