"""The app's clock: how its tasks sleep and are started. AsyncioClock is the board's
(asyncio); a test rig gives the App its own, to run the tasks in simulated time."""

import asyncio
import sys


class AsyncioClock:
    """Real time and real tasks: asyncio on the board (and on CPython)."""

    def __init__(self):
        self._ms = getattr(asyncio, "sleep_ms", None)  # MicroPython's, allocation-free

    def sleep_ms(self, ms):
        if self._ms is not None:
            return self._ms(ms)
        return asyncio.sleep(ms / 1000)

    def create_task(self, coro):
        return asyncio.create_task(coro)

    def run(self, coro):
        return asyncio.run(coro)

    def reset(self):
        # MicroPython keeps tasks of an interrupted run queued: drop them, so a later
        # run starts clean (CPython's asyncio.run already closed its loop).
        if sys.implementation.name == "micropython":
            asyncio.new_event_loop()
