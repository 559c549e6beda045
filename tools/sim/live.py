"""Live simulator console: the scenario runs in accelerated real time while you type
`hp.status()`, `hp.set(mode="heat", setpoint=21)` and the rest, as over the board's REPL.

    python -m tools.sim live SCENARIO.json [--speed 60]

The run is an asyncio task, like the app's control task on the board. A thread reads
the console's lines and hands them to the event loop, which evaluates them between
two ticks, so a command never lands in the middle of a control step. The console ends
with the scenario, on quit() or Ctrl-D (end of input), or on Ctrl-C.
"""

import asyncio
import sys
import threading
import traceback

from tools.sim import STEP_MS, Run

BANNER = """live simulator: {name}, {hours:g} h at {speed:g}x real time. At the prompt:
  hp.status()  hp.set(mode="heat", setpoint=21)  hp.config()  hp.faults()  hp.help()
  speed(600) (simulated seconds per second; speed(0) pauses), sim.plant, sim.hal,
  quit() or Ctrl-D to stop."""
PROMPT = ">>> "
_BURST = 200  # most ticks run in one go before the console gets a turn


class NoPower(RuntimeError):
    pass


class LiveHp:
    """`hp` at the console: the running firmware's REPL object, across power cuts."""

    def __init__(self, run):
        self._run = run

    def __getattr__(self, name):
        hp = self._run.hp
        if hp is None:
            raise NoPower("the unit has no power now (the scenario cut it)")
        return getattr(hp, name)

    def __repr__(self):
        hp = self._run.hp
        return "<heat pump: no power>" if hp is None else repr(hp)


class Live:
    def __init__(self, run, speed, out=sys.stdout):
        self.run = run
        self.speed_x = speed  # simulated seconds per wall second; 0 = paused
        self.out = out
        self.stop = asyncio.Event()
        self.end_ms = int(round(run.sc["duration_h"] * 3600 * 1000))
        self._t0_wall = 0.0  # wall time and sim time when the speed was last set
        self._t0_ms = 0
        self._st = None  # the self-test whose progress lines are printed, and how many
        self._st_seen = 0

    def say(self, text, end="\n"):
        print(text, end=end, file=self.out, flush=True)

    def set_speed(self, x):
        """speed(600): simulated seconds per second; speed(0) pauses."""
        if isinstance(x, bool) or not isinstance(x, int | float) or x < 0:
            raise ValueError(f"speed({x!r}): simulated seconds per second, 0 (pause) or more")
        self.speed_x = float(x)
        self._t0_wall = asyncio.get_running_loop().time()
        self._t0_ms = self.run.hal.elapsed_ms
        return None

    def _progress(self):
        # The self-test's progress lines as the app prints them on the board, as they come.
        st = self.run.ctl.selftest if self.run.ctl is not None else None
        if st is None:
            return
        if st is not self._st:
            self._st, self._st_seen = st, 0
        if st.n_lines != self._st_seen:
            lines, self._st_seen = st.new_lines(self._st_seen)
            self.say("\n" + "\n".join(lines) + "\n" + PROMPT, end="")

    async def run_loop(self):
        loop = asyncio.get_running_loop()
        run = self.run
        hal = run.hal
        self._t0_wall = loop.time()
        try:
            while not self.stop.is_set() and hal.elapsed_ms < self.end_ms:
                if self.speed_x <= 0:
                    await asyncio.sleep(0.05)
                    continue
                due_ms = self._t0_ms + (loop.time() - self._t0_wall) * self.speed_x * 1000
                n = 0
                while hal.elapsed_ms < due_ms and hal.elapsed_ms < self.end_ms and n < _BURST:
                    for ev in run.due_events():
                        when = _clock(hal.elapsed_ms)
                        self.say(f"\n[{when}] scenario: {_describe(ev)}\n{PROMPT}", end="")
                        run.apply(ev)
                    run.step()
                    self._progress()
                    n += 1
                if n < _BURST:
                    # On time: sleep until the next tick is due.
                    ahead_ms = hal.elapsed_ms + STEP_MS - due_ms
                    await asyncio.sleep(max(0.0, ahead_ms / 1000 / self.speed_x))
                else:
                    await asyncio.sleep(0)  # behind: let the console in, then catch up
            if hal.elapsed_ms >= self.end_ms:
                self.say(f"\nend of the scenario ({_clock(hal.elapsed_ms)} simulated)")
        finally:
            self.stop.set()


def _clock(ms):
    s = ms // 1000
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


def _describe(ev):
    return ", ".join(f"{k} {v}" for k, v in ev.items() if k != "at_min")


def _reader(loop, queue, stdin):
    """Thread: console lines into the queue; None at the end of input (Ctrl-D)."""
    while True:
        try:
            line = stdin.readline()
        except (OSError, ValueError):
            line = ""
        try:
            loop.call_soon_threadsafe(queue.put_nowait, line.rstrip("\n") if line else None)
        except RuntimeError:  # the console has ended and its loop is closed
            return
        if not line:
            return


def evaluate(line, env, out=sys.stdout):
    """Run one console line: an expression prints its value, a statement just runs."""
    try:
        try:
            code = compile(line, "<live>", "eval")
        except SyntaxError:
            code = compile(line, "<live>", "exec")  # a statement (or a real syntax error)
        value = eval(code, env)
        if value is not None:
            print(repr(value), file=out)
    except SyntaxError as e:
        print("".join(traceback.format_exception_only(e)), end="", file=out)
    except (ValueError, NoPower) as e:  # what a person gets wrong: the message says it all
        print(f"{type(e).__name__}: {e}", file=out)
    except Exception as e:  # the traceback from the typed line down, not the console's
        traceback.print_exception(type(e), e, e.__traceback__.tb_next, file=out)


async def console(live, env, stdin):
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()
    # A daemon thread: a read still waiting when the run ends does not hold the exit.
    threading.Thread(target=_reader, args=(loop, queue, stdin), daemon=True).start()
    stopped = asyncio.ensure_future(live.stop.wait())
    try:
        while not live.stop.is_set():
            print(PROMPT, end="", file=live.out, flush=True)
            got = asyncio.ensure_future(queue.get())
            await asyncio.wait({got, stopped}, return_when=asyncio.FIRST_COMPLETED)
            if not got.done():
                got.cancel()
                break
            line = got.result()
            if line is None:  # Ctrl-D
                live.say("")
                break
            if line.strip():
                evaluate(line, env, live.out)
    finally:
        stopped.cancel()
        live.stop.set()


async def _main(sc, speed, stdin, out):
    run = Run(sc)
    live = Live(run, speed, out)
    run.echo = lambda text: live.say(f"\n{text}\n{PROMPT}", end="")

    def quit_():
        live.stop.set()

    env = {"hp": LiveHp(run), "sim": run, "speed": live.set_speed, "quit": quit_, "exit": quit_}
    live.say(BANNER.format(name=sc["name"], hours=sc["duration_h"], speed=speed))
    for note in run.notes:
        live.say(f"note: {note}")
    task = asyncio.create_task(live.run_loop())
    await console(live, env, stdin)
    await task
    live.say(f"stopped at {_clock(run.hal.elapsed_ms)} simulated")


def live(sc, speed=60.0, stdin=None, out=None):
    """Run the console; returns the exit status."""
    if speed <= 0:
        print("error: --speed must be above 0 (simulated seconds per second)", file=sys.stderr)
        return 2
    try:
        asyncio.run(_main(sc, speed, stdin or sys.stdin, out or sys.stdout))
    except KeyboardInterrupt:
        print("\ninterrupted (Ctrl-C)", file=out or sys.stdout)
        return 130
    return 0
