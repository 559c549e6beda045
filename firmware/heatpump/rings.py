"""The last hour's events, counted: compressor starts, early stops, freeze trips, resets.

    ring = HourRing(n)     # holds the ages of the n most recent events
    ring.age(dt_ms)        # each tick: every age grows (saturating at an hour)
    ring.note()            # an event now
    ring.count()           # how many of the held ones are under an hour old
    ring.age_of(k)         # the age of the k-th most recent (k = 1: the newest)

Preallocated: n ages in ms, the next slot to write; the tick allocates nothing. The
ages are what the app keeps on flash (ages_s, fill), so a reset forgives none of them.
The time without power is not known (no clock survives it): it counts as none, which
only ever holds a rule longer. n is the largest count any rule can ask of it (a
config maximum), so no setting can outgrow the ring.
"""

from micropython import const

HOUR_MS = const(3_600_000)


class HourRing:
    def __init__(self, n):
        self._ages = [HOUR_MS] * n  # ms since each held event; HOUR_MS: none, or older
        self._next = 0  # the slot the next event goes to

    def age(self, dt_ms):
        ages = self._ages
        for i in range(len(ages)):
            t = ages[i] + dt_ms
            ages[i] = t if t < HOUR_MS else HOUR_MS

    def note(self):
        ages = self._ages
        ages[self._next] = 0
        n = self._next + 1
        self._next = n if n < len(ages) else 0

    def count(self):
        n = 0
        ages = self._ages
        for i in range(len(ages)):
            if ages[i] < HOUR_MS:
                n += 1
        return n

    def age_of(self, k):
        """The age of the k-th most recent event (1 <= k <= its size); HOUR_MS: none."""
        ages = self._ages
        i = self._next - k
        return ages[i + len(ages) if i < 0 else i]

    def clear(self):
        ages = self._ages
        for i in range(len(ages)):
            ages[i] = HOUR_MS

    def ages_s(self):
        """The ages under an hour in s, oldest first (allocates: for the history)."""
        out = []
        ages = self._ages
        n = len(ages)
        for k in range(n):
            age = ages[(self._next + k) % n]
            if age < HOUR_MS:
                out.append(age // 1000)
        return out

    def fill(self, ages_s):
        """Put ages (s, any order; the valid ones) back, oldest first, the newest kept."""
        ages = self._ages
        got = sorted((a * 1000 for a in ages_s if 0 <= a * 1000 < HOUR_MS), reverse=True)
        got = got[len(got) - len(ages) :] if len(got) > len(ages) else got
        for i in range(len(ages)):
            ages[i] = got[i] if i < len(got) else HOUR_MS
        self._next = len(got) % len(ages)
