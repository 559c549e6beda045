"""`make deploy` for real, against a fake board on a pseudo-terminal.

No ESP32 is attached here, so FakeBoard plays one behind a pty: MicroPython's raw REPL
protocol as mpremote speaks it (raw and raw-paste modes, soft reset, friendly REPL), a
flash filesystem in a temporary folder, `machine.reset()` that reboots it, and at each
boot the deployed boot.py and main.py from that flash, with a recording machine.Pin and
a stand-in heatpump.app. The real tools.device.deploy then drives the real mpremote against it.
What it cannot show: MicroPython itself (the code the deploy sends also runs under the
real VM in test_deploy.py) and the ESP32's serial and reset lines.
"""

import builtins
import errno
import io
import os
import pty
import select
import struct
import subprocess
import sys
import threading
import traceback
import tty
import types

import pytest
from upyvm import REPO

from tools.device import deploy

pytestmark = pytest.mark.slow  # not in make check: mpy-cross and a deploy against a stand-in board

BANNER = b"raw REPL; CTRL-B to exit\r\n>"


class Reset(BaseException):
    """machine.reset() on the fake board."""


class FakeBoard:
    def __init__(self, root):
        self.root = root  # the board's flash
        self.master, self.slave = pty.openpty()
        tty.setraw(self.slave)
        self.port = os.ttyname(self.slave)
        self.mode = "friendly"
        self.buf = b""
        self.paste = None  # bytes received in raw-paste mode, or None
        self.g = {}
        self.pins = {}  # pin -> last level driven as an output
        self.boots = []  # ("hard" | "soft", HEATPUMP_SAFE_BOOT or None, app started?)
        self.stop = False
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    # ---- the board's Python world ----------------------------------------------------

    def real(self, path):
        return os.path.join(self.root, path.lstrip("/"))

    def modules(self, out):
        board = self
        fos = types.ModuleType("os")
        fos.sep = "/"
        fos.stat = lambda p: os.stat(board.real(p))
        fos.mkdir = lambda p: os.mkdir(board.real(p))
        fos.remove = lambda p: os.remove(board.real(p))
        fos.rmdir = lambda p: os.rmdir(board.real(p))
        fos.rename = lambda a, b: os.rename(board.real(a), board.real(b))
        fos.listdir = lambda p="": sorted(os.listdir(board.real(p)))

        def ilistdir(p=""):
            for name in sorted(os.listdir(board.real(p))):
                st = os.stat(os.path.join(board.real(p), name))
                yield (
                    name,
                    0x4000 if os.path.isdir(os.path.join(board.real(p), name)) else 0x8000,
                    0,
                    st.st_size,
                )

        fos.ilistdir = ilistdir
        fsys = types.ModuleType("sys")
        fsys.implementation = types.SimpleNamespace(name="micropython", _mpy=0x306)
        fsys.version = "3.4.0; MicroPython v1.29.0 on a fake board"
        ftime = types.ModuleType("time")
        ftime.sleep_ms = lambda ms: None

        class Pin:
            OUT, IN, PULL_UP = 3, 1, 2

            def __init__(self, pin, mode, pull=None, value=None):
                if mode == Pin.OUT:
                    board.pins[pin] = value

            def value(self):
                return 1  # the safe-boot button is never pressed here

        def reset():
            raise Reset()

        machine = types.ModuleType("machine")
        machine.Pin, machine.reset = Pin, reset
        app = types.ModuleType("heatpump.app")
        app.run = lambda: board.boots[-1].__setitem__(2, True)
        pkg = types.ModuleType("heatpump")
        pkg.app = app
        fake = {"os": fos, "sys": fsys, "time": ftime, "machine": machine, "heatpump": pkg}

        def imp(name, globals=None, locals=None, fromlist=(), level=0):
            if name in fake:
                return fake[name]
            return builtins.__import__(name, globals, locals, fromlist, level)

        def fopen(path, mode="r", *args, **kw):
            return builtins.open(board.real(path), mode, *args, **kw)

        def fprint(*args, **kw):
            kw["file"] = out
            builtins.print(*args, **kw)

        b = dict(builtins.__dict__)
        b.update(__import__=imp, open=fopen, print=fprint)
        return b

    def run(self, code, g):
        """Run code as the board would; (stdout, stderr) as MicroPython shows them."""
        out = io.StringIO()
        g["__builtins__"] = self.modules(out)
        err = ""
        try:
            exec(compile(code, "<stdin>", "exec"), g)
        except Reset:
            raise
        except OSError as e:
            name = errno.errorcode.get(e.errno, str(e.errno))
            err = f"Traceback (most recent call last):\r\nOSError: [Errno {e.errno}] {name}\r\n"
        except Exception as e:  # noqa: BLE001 (the board prints any exception)
            err = "Traceback (most recent call last):\r\n" + "".join(
                traceback.format_exception_only(type(e), e)
            )
        return out.getvalue().replace("\n", "\r\n"), err

    def boot(self, kind):
        """A reset: boot.py; then main.py after a hard reset (not in raw mode)."""
        self.g = {"__name__": "__main__"}
        self.boots.append([kind, None, False])
        text = ""
        for name in ("boot.py", "main.py") if kind == "hard" else ("boot.py",):
            if os.path.exists(self.real(name)):
                with open(self.real(name)) as f:
                    out, err = self.run(f.read(), self.g)
                text += out + err
        self.boots[-1][1] = self.g.get("HEATPUMP_SAFE_BOOT")
        self.g = {"__name__": "__main__"}
        return text.encode()

    # ---- the serial line ---------------------------------------------------------------

    def write(self, data):
        os.write(self.master, data)

    def serve(self):
        while not self.stop:
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                try:
                    data = os.read(self.master, 4096)
                except OSError:
                    continue
                for i in range(len(data)):
                    self.byte(data[i : i + 1])

    def byte(self, c):
        if self.paste is not None:
            if c == b"\x04":
                code, self.paste = self.paste, None
                self.write(b"\x04")
                self.execute(code)
            else:
                self.paste += c
                if len(self.paste) % 0x4000 == 0:
                    self.write(b"\x01")  # the next window
            return
        if self.mode == "friendly":
            if c == b"\x01":
                self.mode, self.buf = "raw", b""
                self.write(BANNER)
            elif c == b"\x03":
                self.write(b"\r\n>>> ")
            return
        # raw mode
        if c == b"\x01":
            if self.buf == b"\x05A":  # the host asks for raw-paste mode
                self.buf, self.paste = b"", b""
                self.write(b"R\x01" + struct.pack("<H", 0x4000) + b"\x01")
            else:
                self.buf = b""
                self.write(BANNER)
        elif c == b"\x02":
            self.mode = "friendly"
            self.write(b"\r\nMicroPython v1.29.0 on a fake board\r\n>>> ")
        elif c == b"\x03":
            self.buf = b""
        elif c == b"\x04":
            if not self.buf:
                self.write(b"OK\r\nMPY: soft reboot\r\n" + self.boot("soft") + BANNER)
            else:
                code, self.buf = self.buf, b""
                self.write(b"OK")
                self.execute(code)
        else:
            self.buf += c

    def execute(self, code):
        try:
            out, err = self.run(code.decode(), self.g)
        except Reset:
            self.mode = "friendly"
            self.write(b"\r\nets Jun  8 2016 00:22:57\r\n" + self.boot("hard") + b">>> ")
            return
        self.write(out.encode() + b"\x04" + err.encode() + b"\x04>")

    def close(self):
        self.stop = True
        self.thread.join()
        os.close(self.master)
        os.close(self.slave)


def files_on(root):
    found = {}
    for folder, _, names in os.walk(root):
        for n in names:
            path = os.path.join(folder, n)
            with open(path, "rb") as f:
                found[os.path.relpath(path, root)] = f.read()
    return found


@pytest.fixture
def board(tmp_path):
    root = tmp_path / "flash"
    (root / "lib").mkdir(parents=True)
    (root / "lib" / "aiorepl.mpy").write_bytes(b"M\x06")  # as if installed: no network here
    b = FakeBoard(str(root))
    yield b
    b.close()


def run_deploy(port, *extra):
    return subprocess.run(
        [sys.executable, "-m", "tools.device.deploy", "deploy", "--port", port, *extra],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )


def test_deploy_onto_a_board_then_again_with_nothing_and_one_change(board):
    done = run_deploy(board.port, "--board", "esp32-devkitc")
    assert done.returncode == 0, done.stdout + done.stderr
    built = deploy.build(os.path.join(REPO, "boards", "esp32-devkitc.json"), False, lambda s: 0)
    on_board = files_on(board.root)
    want = {}
    for f in built:
        with open(os.path.join(REPO, f.src), "rb") as fh:
            want[f.dest] = fh.read()
    assert on_board == {**want, "lib/aiorepl.mpy": b"M\x06"}  # and no /safe_boot left
    # Boots: the probe's and the hold's soft resets, the hold's reset (a blank board: no
    # boot.py yet, no app), the release (the deployed boot.py and main.py: the app runs).
    assert board.boots == [["soft", None, False]] * 2 + [
        ["hard", None, False],
        ["hard", None, True],
    ]
    # The deployed boot.py drove every relay of the deployed board file OFF (active low).
    assert board.pins == {23: 1, 22: 1, 21: 1, 19: 1, 18: 1, 4: 1, 13: 1}
    lines = done.stdout.splitlines()
    assert any(line.startswith("[ 1/") and "/safe_boot + reset" in line for line in lines)
    assert sum(line.endswith("  copy") for line in lines) == len(built)
    assert f"{len(built)} copied, 0 unchanged, 0 removed" in lines[-1]

    # Again: the board already has this build. It is read, nothing else, no reset.
    boots = len(board.boots)
    done = run_deploy(board.port, "--board", "esp32-devkitc")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == (
        "nothing to do: the board already has this build (no copy, no reset)"
    )
    assert len(board.boots) == boots + 1  # the probe's soft reset only

    # A stale source file and an older module: only those are touched.
    with open(os.path.join(board.root, "heatpump", "thermostat.py"), "w") as f:
        f.write("x = 1\n")
    with open(os.path.join(board.root, "heatpump", "store.mpy"), "wb") as f:
        f.write(b"old")
    done = run_deploy(board.port, "--board", "esp32-devkitc")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 copied" in done.stdout and "1 removed" in done.stdout
    assert files_on(board.root) == {**want, "lib/aiorepl.mpy": b"M\x06"}
    # While files changed the board sat in safe boot, app stopped; then the app ran.
    assert board.boots[-2:] == [
        ["hard", "the file /safe_boot exists", False],
        ["hard", None, True],
    ]


def test_a_board_that_stops_answering_is_reported(board):
    board.stop = True  # the board hangs: nothing answers on the line any more
    board.thread.join()
    done = run_deploy(board.port, "--board", "esp32-devkitc", "--timeout", "3")
    assert done.returncode == 1
    assert done.stderr == (
        f"deploy: no answer from {board.port} within 3 s: is MicroPython running on the "
        "board, at 115200 baud, and is this its port?\n"
    )
