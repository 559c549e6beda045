"""The clean outdoor coil's reference for demand defrost: how far it runs below the
outdoor air when it carries no frost, learned after each defrost (and at power-up).

It averages the settled readings (outdoor air minus coil, dK) of a 2-min window of
heating run, which may span several short thermostat runs. A window whose spread is
over 1.5 K is unstable and starts again; three unstable windows in a row give up until
the next defrost (defrost.py then decides by the clock). Ints only: no allocation.
"""

from micropython import const

_LEARN_MS = const(120_000)  # the window: 2 min of settled run
_STABLE_dK = const(15)  # the window's spread must stay within 1.5 K
_LEARN_TRIES = const(3)  # unstable windows in a row before giving up


class CoilReference:
    def __init__(self):
        self.dK = 0  # outdoor air - outdoor coil on a clean coil, once ok
        self.ok = False  # learned
        self.tries = 0  # unstable windows in a row
        self.failed = False  # learning gave up until the next forget()
        self._ms = 0  # settled run collected in this window
        self._n = 0  # samples ...
        self._sum = 0  # ... their sum (dK) ...
        self._min = 0  # ... and spread
        self._max = 0

    def forget(self):
        """A clean coil (a defrost ended): learn afresh."""
        self.ok = self.failed = False
        self.tries = 0
        self._ms = self._n = self._sum = 0

    def learn(self, d, dt_ms):
        """One settled reading d (dK) over dt_ms of run."""
        if self._n == 0:
            self._min = self._max = d
        elif d < self._min:
            self._min = d
        elif d > self._max:
            self._max = d
        self._n += 1
        self._sum += d
        self._ms += dt_ms
        if self._ms < _LEARN_MS:
            return
        if self._max - self._min <= _STABLE_dK:
            n = self._n
            self.dK = (2 * self._sum + n) // (2 * n)  # the mean, rounded
            self.ok = True
            self.tries = 0
        else:
            self.tries += 1
            self.failed = self.tries >= _LEARN_TRIES
        self._ms = self._n = self._sum = 0
