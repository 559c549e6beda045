"""What a person types at the REPL: `hp = Api(ctl)`, then hp.status(), hp.set(...).

Every command returns plain data (a dict or a list) so scripts and tests can use it;
at the REPL the same value prints as a readable screen (Screen and Table only change
how it prints). Bad input raises ValueError naming the key, the value and what is
allowed, and changes nothing. Nothing here runs in the control tick.

The commands themselves (commands.py, with their texts) are loaded when one runs and
let go after (lazy.py): the unit does not carry them in its heap between commands.
"""

from heatpump import lazy


class Screen(dict):
    """A dict that prints as a readable screen at the REPL."""

    text = ""

    def __repr__(self):
        return self.text


class Table(list):
    """A list that prints as a readable table at the REPL."""

    text = ""

    def __repr__(self):
        return self.text


class NoCommand:
    """hp.<a typo>, called or not: prints what the person meant, not an AttributeError
    from inside the firmware (a script sees a NoCommand come back, not None)."""

    def __init__(self, name, api_class):
        self.name = name
        self.api_class = api_class  # the commands are its methods

    def __call__(self, *args, **kw):
        return self

    def __repr__(self):
        names = [n for n in dir(self.api_class) if not n.startswith("_")]
        return lazy.call("suggest", "no_command", self.name, names)


class Api:
    def __init__(self, ctl):
        self.ctl = ctl

    def __repr__(self):
        return "<heat pump: hp.status(), hp.set(mode=..., setpoint=...), hp.help()>"

    def __getattr__(self, name):
        # Only for a name the class does not have: hp.stauts() gets the close commands.
        if name.startswith("_"):
            raise AttributeError(name)
        return NoCommand(name, type(self))

    def _run(self, name, args, kw, inner=()):
        # The commands load for each call: a heap too full or too fragmented for them,
        # or a firmware file gone from the flash, is said plainly (the unit runs on).
        # Every command takes *args, **kw: values it does not take are answered with
        # how it is written (commands.run), not a TypeError about this method.
        try:
            return lazy.call("commands", "run", self.ctl, name, args, kw, inner)
        except MemoryError:
            raise MemoryError(
                "hp.%s(): not enough free heap now to load the REPL's commands; the unit"
                " runs on (import gc; gc.collect(), then try again)" % name
            ) from None
        except ImportError as e:
            raise ImportError(
                "hp.%s(): a firmware file is missing or damaged (%s): make deploy puts"
                " it back; the unit runs on" % (name, e)
            ) from None

    def status(self, *args, **kw):
        """The unit now: mode, state, temperatures, relays, timers, faults."""
        return self._run("status", args, kw)

    def set(self, *args, **kw):
        """hp.set(mode="heat", setpoint=21, fan="auto", speed="low"): any of them.

        All are checked first; one bad value raises ValueError and nothing changes.
        """
        return self._run("set", args, kw)

    def config(self, *args, **kw):
        """hp.config() shows every value, hp.config("defrost") those keys with default
        and range; hp.config(min_off_s=240) changes some."""
        return self._run("config", args, kw)

    def config_help(self, *args, **kw):
        """What the config keys with part in their name do: hp.config_help("defrost")."""
        return self._run("config_help", args, kw)

    def faults(self, *args, **kw):
        """The fault log, newest first: [{"time_s", "code", "text", "detail"}, ...]."""
        return self._run("faults", args, kw)

    def defrost(self, *args, **kw):
        """Start a defrost (service use): from a heating run only; it runs its normal course."""
        return self._run("defrost", args, kw)

    def clear(self, *args, **kw):
        """Release the latched lockouts (E2, E8, E9, A4); returns the codes released."""
        return self._run("clear", args, kw)

    def stats(self, *args, **kw):
        """Counters since this boot and since they were first persisted."""
        return self._run("stats", args, kw)

    def selftest(self, *args, **kw):
        """Start the self-test (modes "both", "cool" or "heat"); cancel=True stops it.

        Returns at once; the control loop carries it out. A refusal (outdoor temperature,
        a defrost, a test already running) comes back as {"started": False, "reason"}.
        """
        return self._run("selftest", args, kw)

    def selftest_cancel(self, *args, **kw):
        """Stop a running self-test: compressor off after its min run, then fans off."""
        return self._run("selftest_cancel", args, kw)

    def selftest_report(self, *args, **kw):
        """The last self-test report (this boot's, or the one kept on flash)."""
        return self._run("selftest_report", args, kw)

    def selftest_progress(self, *args, **kw):
        """The self-test's latest progress lines."""
        return self._run("selftest_progress", args, kw)

    def help(self, *args, **kw):
        """What each command does; hp.help("set"): one command's lines."""
        self._run("help", args, kw, ((),))  # no more lines than the core's
