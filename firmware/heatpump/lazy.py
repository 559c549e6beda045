"""Modules the running unit needs rarely: imported when first used, let go after.

On the board every imported module's code lives in the heap (the .mpy is loaded into
RAM), and a module stays there while sys.modules or its package holds it. What is
needed once (board validation, the thermistor tables, a corrupt file's salvage) or now
and then (REPL texts, the self-test) says so at its top (LET_GO = True): `use` loads
it, `drop` gives its heap back once nothing else holds it, and `call` does both. The
qstrs it interned stay (MicroPython never frees them), so a reload costs only its code.
"""

import sys

_ON_MP = sys.implementation.name == "micropython"


def use(name):
    """The module heatpump.<name>, imported now if it is not loaded."""
    return __import__("heatpump." + name, None, None, ("_",))


def drop(name):
    """Let heatpump.<name> go: its heap is freed once no object of it is held. Only
    on MicroPython: on the desktop a second copy of a module would only confuse
    (isinstance across copies), and the heap is not the point there."""
    if not _ON_MP:
        return
    # A MicroPython dict keeps a deleted entry's value in its slot until the slot is
    # used again, and the collector sees it there: set the entry to None first, or the
    # module stays in the heap by luck of the dict's layout.
    full = "heatpump." + name
    modules: dict = sys.modules  # holds None for a moment
    if full in modules:
        modules[full] = None
        del modules[full]
    pkg = sys.modules.get("heatpump")
    if pkg is not None and name in pkg.__dict__:
        setattr(pkg, name, None)
        delattr(pkg, name)


def call(name, fn, *args, **kw):
    """heatpump.<name>.<fn>(*args, **kw), then let go of the modules the call loaded
    that are marked LET_GO (even if it raised). A module of the running unit that a
    call imports first stays; one loaded before the call stays too, so a caller that
    needs a module many times (start-up and the config rules) loads it once and holds
    it: each load and drop between long-lived objects would leave a hole in the heap.
    What the call made and handed out (a self-test started at the REPL) keeps its own
    module alive while it is held."""
    before = set(sys.modules) if _ON_MP else ()
    try:
        return getattr(use(name), fn)(*args, **kw)
    finally:
        for m in [m for m in sys.modules if m not in before]:
            if m.startswith("heatpump.") and getattr(sys.modules[m], "LET_GO", False):
                drop(m[9:])


class Held:
    """`with lazy.Held(name):` heatpump.<name> stays loaded inside the block, and is
    let go at its end unless it was loaded before it (start-up builds several parts
    that each ask the config rules: one load, not one per part)."""

    def __init__(self, name):
        self.name = name
        self.before = ("heatpump." + name) in sys.modules

    def __enter__(self):
        return use(self.name)

    def __exit__(self, *exc):
        if not self.before:
            drop(self.name)
