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


def empty_dir(name):
    """A new empty folder for a test's files: the VM's own filesystem is in memory; the
    unix port and CPython write to the machine's temporary folder (never to /, which
    a user's account may not write, nor a folder another run uses)."""
    import os
    import sys

    if sys.platform == "webassembly":
        path = "/" + name
    elif sys.implementation.name == "micropython":
        import random

        tmp = os.getenv("TMPDIR") or "/tmp"
        path = "%s/heatpump-%s-%d" % (tmp, name, random.getrandbits(30))
    else:
        import tempfile

        return tempfile.mkdtemp(prefix="heatpump-" + name + "-")
    try:
        os.mkdir(path)
    except OSError:  # the VM's folder from an earlier test of this run
        pass
    for entry in os.listdir(path):
        os.remove(path + "/" + entry)
    return path


def remove_dir(path):
    """Remove a folder empty_dir() gave, and the files in it."""
    import os

    for entry in os.listdir(path):
        os.remove(path + "/" + entry)
    os.rmdir(path)
