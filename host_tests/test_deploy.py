"""tools.device.deploy: the plans it makes (no board is attached here), the board-side listing
under the real MicroPython VM, the freeze manifest, and the errors a person meets."""

import hashlib
import json
import os
import shlex
import subprocess
import sys

import pytest
from upyvm import REPO, run_upy

from tools.device import deploy

PORT = "/dev/ttyUSB0"
CONN = ["mpremote", "connect", PORT]


def cli(*args, timeout=300):
    return subprocess.run(
        [sys.executable, "-m", "tools.device.deploy", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
    )


def modules():
    """The firmware modules that go on the board as .mpy (every one but the sim HAL)."""
    found = []
    for rel in deploy.firmware_sources():
        if rel.startswith("heatpump/") and rel != "heatpump/hal/sim.py":
            found.append(rel[:-3] + ".mpy")
    return found


@pytest.fixture(scope="module")
def dry_run():
    done = cli("deploy", "--port", PORT, "--board", "esp32-devkitc", "--dry-run")
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def files():
    board = os.path.join(REPO, "boards", "esp32-devkitc.json")
    return deploy.build(board, frozen=False, out=lambda line: None)


def commands(text):
    return [shlex.split(line[2:]) for line in text.splitlines() if line.startswith("$ ")]


def test_dry_run_plan_for_a_blank_board(dry_run):
    cmds = commands(dry_run)
    assert "board esp32-devkitc: boards/esp32-devkitc.json is valid" in dry_run
    assert "(no native code, so no -march)" in dry_run
    # 1. read the board; 2. hold the app and reset.
    assert cmds[0] == [*CONN, "run", "build/deploy/probe.py"]
    assert cmds[1][:4] == [*CONN, "exec"] and "/safe_boot" in cmds[1][4]
    assert cmds[1][5:] == ["+", "reset", "+", "sleep", "3"]
    # 3. folders, then every module as .mpy, main.py and boot.py as source, the board file.
    assert cmds[2] == [*CONN, "resume", "fs", "mkdir", ":heatpump"]
    assert cmds[3] == [*CONN, "resume", "fs", "mkdir", ":heatpump/hal"]
    copies = [c for c in cmds if c[3:6] == ["resume", "fs", "cp"]]
    dests = [c[-1] for c in copies]
    assert dests == [":" + m for m in modules()] + [":main.py", ":board.json", ":boot.py"]
    assert ":heatpump/hal/sim.mpy" not in dests
    for c in copies:
        assert c[6] == "-f" and os.path.exists(os.path.join(REPO, c[7])), c
    assert copies[-2][7] == "boards/esp32-devkitc.json"
    assert copies[-1][7] == "firmware/boot.py"
    # 4. aiorepl, 5. release the hold and reset: the app starts.
    assert cmds[-2] == [*CONN, "resume", "mip", "install", "aiorepl"]
    assert cmds[-1] == [*CONN, "resume", "fs", "rm", ":safe_boot", "+", "reset"]
    assert len(cmds) == 2 + 2 + len(copies) + 2


def test_an_unchanged_board_gets_nothing_not_even_a_reset(files):
    device = {
        "mpy": 6,
        "files": {f.dest: f.sha for f in files},
        "dirs": ["heatpump", "heatpump/hal"],
        "lib": ["aiorepl.mpy"],
    }
    assert deploy.plan(PORT, files, device) == []


def test_only_what_changed_is_copied_and_stale_files_go(files):
    dev_files = {f.dest: f.sha for f in files}
    dev_files["heatpump/store.mpy"] = "0" * 64  # an older build
    dev_files["heatpump/thermostat.py"] = "1" * 64  # a source copy would shadow the .mpy
    dev_files["heatpump/hal/sim.mpy"] = "2" * 64  # never deployed
    del dev_files["boot.py"]  # a board that never had it
    device = {"mpy": 6, "files": dev_files, "dirs": ["heatpump", "heatpump/hal"], "lib": []}
    steps = deploy.plan(PORT, files, device)
    run = [s.argv for s in steps if s.argv]
    assert run == [
        steps[0].argv,
        [
            *CONN,
            "resume",
            "fs",
            "cp",
            "-f",
            "build/deploy/mpy/heatpump/store.mpy",
            ":heatpump/store.mpy",
        ],
        [*CONN, "resume", "fs", "cp", "-f", "firmware/boot.py", ":boot.py"],
        [*CONN, "resume", "fs", "rm", ":heatpump/hal/sim.mpy"],
        [*CONN, "resume", "fs", "rm", ":heatpump/thermostat.py"],
        [*CONN, "resume", "mip", "install", "aiorepl"],
        [*CONN, "resume", "fs", "rm", ":safe_boot", "+", "reset"],
    ]
    assert "/safe_boot" in steps[0].argv[4]
    unchanged = [s.what.split()[0] for s in steps if s.argv is None]
    assert len(unchanged) == len(files) - 2 and "heatpump/ticks.mpy" in unchanged


def test_a_deploy_that_stopped_half_way_is_finished(files):
    dev_files = {f.dest: f.sha for f in files}
    dev_files["safe_boot"] = "3" * 64
    device = {
        "mpy": 6,
        "files": dev_files,
        "dirs": ["heatpump", "heatpump/hal"],
        "lib": ["aiorepl.mpy"],
    }
    run = [s.argv for s in deploy.plan(PORT, files, device) if s.argv]
    assert len(run) == 2 and run[-1] == [*CONN, "resume", "fs", "rm", ":safe_boot", "+", "reset"]


def test_frozen_image_gets_only_boot_main_and_the_board_file():
    board = os.path.join(REPO, "boards", "esp32-devkitc.json")
    frozen = deploy.build(board, frozen=True, out=lambda line: None)
    assert [f.dest for f in frozen] == ["main.py", "board.json", "boot.py"]
    device = {"mpy": 6, "files": {"heatpump/ticks.mpy": "0"}, "dirs": ["heatpump"], "lib": []}
    run = [s.argv for s in deploy.plan(PORT, frozen, device, frozen=True) if s.argv]
    assert [*CONN, "resume", "fs", "rm", "-r", ":heatpump"] in run
    assert not any("mip" in argv for argv in run)
    assert [a[-1] for a in run if "cp" in a] == [":main.py", ":board.json", ":boot.py"]


def test_a_board_with_an_older_mpy_format_is_refused_before_any_change():
    device = {"mpy": 5, "version": "3.4.0; MicroPython v1.18 on 2022-01-17", "files": {}}
    with pytest.raises(deploy.DeployError) as e:
        deploy.check_mpy(device, deploy.mpy_major())
    assert str(e.value) == (
        "the board runs MicroPython v1.18 on 2022-01-17 (.mpy v5); this build makes .mpy v6: "
        "flash a current MicroPython image first (README: 1. Flash MicroPython)"
    )
    deploy.check_mpy({"mpy": 0x306, "version": "v1.29"}, 6)  # v6.3, no arch bits: fine


def test_the_probe_lists_the_board_under_micropython(tmp_path, files):
    """The listing script runs on a board-like filesystem in the VM; its hashes match."""
    setup = tmp_path / "probe_run.py"
    pick = [f for f in files if f.dest in ("heatpump/ticks.mpy", "boot.py", "board.json")]
    lines = ["import os", "for d in ('/heatpump', '/heatpump/hal', '/lib'):", "    os.mkdir(d)"]
    for f in pick:
        with open(os.path.join(REPO, f.src), "rb") as fh:
            lines.append(f"open('/{f.dest}', 'wb').write({fh.read()!r})")
    lines.append("open('/heatpump/hal/old.py', 'w').write('x = 1')")
    lines.append("open('/lib/aiorepl.mpy', 'w').write('')")
    setup.write_text("\n".join(lines) + "\n" + deploy.PROBE)
    done = run_upy(str(setup))
    assert done.returncode == 0, done.stdout + done.stderr
    line = [x for x in done.stdout.splitlines() if x.startswith("HPDEPLOY")][0]
    info = json.loads(line[len("HPDEPLOY") :])
    assert info["files"] == {
        **{f.dest: f.sha for f in pick},
        "heatpump/hal/old.py": hashlib.sha256(b"x = 1").hexdigest(),
    }
    assert info["dirs"] == ["heatpump", "heatpump/hal"]
    assert info["lib"] == ["aiorepl.mpy"]
    assert info["mpy"] & 0xFF == deploy.mpy_major()


def test_bad_board_files_and_ports_are_explained(tmp_path):
    done = cli("deploy", "--port", PORT, "--board", "no-such-board", "--dry-run")
    assert done.returncode == 1
    assert (
        "deploy: no board file boards/no-such-board.json: give BOARD=<name> of one of"
        in done.stderr
    )
    assert "esp32-devkitc" in done.stderr
    with open(os.path.join(REPO, "boards", "esp32-devkitc.json")) as f:
        board = json.load(f)
    board["relays"]["compressor"]["pin"] = 7
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(board))
    done = cli("deploy", "--port", PORT, "--board", str(bad), "--dry-run")
    assert done.returncode == 1
    assert "deploy: the board file is not valid:" in done.stderr
    assert "GPIO7 is wired to the SPI flash" in done.stderr
    done = cli("deploy", "--port", "/dev/ttyUSB97", "--board", "esp32-devkitc")
    assert done.returncode == 1
    assert "deploy: no serial port /dev/ttyUSB97: is the board plugged in" in done.stderr
    done = cli("deploy", "--port", "", "--board", "esp32-devkitc", "--dry-run")
    assert "deploy: no serial port given: add PORT=/dev/ttyUSB0" in done.stderr


def test_mpremote_errors_are_translated_for_a_person():
    busy = deploy.explain(PORT, "mpremote: failed to access /dev/ttyUSB0 (it may be in use)")
    assert busy.startswith(f"cannot open {PORT}: another program holds it")
    silent = deploy.explain(PORT, "mpremote: could not enter raw repl")
    assert "does not answer as a MicroPython REPL" in silent


def test_repl_attaches_without_a_reset():
    done = cli("repl", "--port", PORT, "--dry-run")
    assert done.returncode == 0
    assert commands(done.stdout) == [[*CONN, "resume", "repl"]]
    done = cli("repl", "--port", "/dev/ttyUSB97")
    assert done.returncode == 1 and "repl: no serial port /dev/ttyUSB97" in done.stderr


def test_freeze_manifest_lists_every_deployed_module(tmp_path):
    out = tmp_path / "build" / "manifest.py"
    done = cli("freeze", "--board", "esp32-devkitc", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "make -C ports/esp32 BOARD=ESP32_GENERIC FROZEN_MANIFEST=" + str(out) in done.stdout
    calls = []
    stubs = {
        "include": lambda *a, **k: calls.append(("include", a)),
        "require": lambda *a, **k: calls.append(("require", a)),
        "package": lambda name, files, base_path: calls.append(
            ("package", name, files, base_path)
        ),
    }
    exec(compile(out.read_text(), str(out), "exec"), stubs)
    assert calls[0] == ("include", ("$(PORT_DIR)/boards/manifest.py",))
    assert calls[1] == ("require", ("aiorepl",))
    _, name, listed, base = calls[2]
    assert name == "heatpump"
    assert ["heatpump/" + f[:-3] + ".mpy" for f in listed] == modules()
    # base_path is relative to the manifest, as the MicroPython build resolves it.
    for f in listed:
        assert os.path.exists(os.path.join(out.parent, base, "heatpump", f)), f


def test_a_channel_that_misses_its_range_is_refused_as_board_check_does(tmp_path):
    with open(os.path.join(REPO, "boards", "esp32-devkitc.json")) as f:
        board = json.load(f)
    board["thermistors"]["outdoor"]["divider_ohm"] = 2200  # too small for -25 C
    bad = tmp_path / "small_divider.json"
    bad.write_text(json.dumps(board))
    done = cli("deploy", "--port", PORT, "--board", str(bad), "--dry-run")
    assert done.returncode == 1
    assert "a thermistor channel does not read where the control needs it" in done.stderr
    assert "heating lockout -25..+45 C" in done.stderr
    assert "<-- outdoor: the range is not all inside the accurate" in done.stderr
    assert "is valid" not in done.stdout
