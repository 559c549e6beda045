"""`make bench` in miniature: the harness and every measurement with tiny sizes, so the
bench cannot rot between the runs that produce figures. No timing is asserted."""

import json
import os

import pytest

from tools import FIRMWARE, bench, bench_upy

TINY = {"ticks": 20, "passes": 5, "day_s": 120, "day_step_s": 60}


@pytest.fixture(scope="module")
def footprint(tmp_path_factory):
    """section_footprint with tiny sizes (the VM runs for real), and its context."""
    ctx = bench.Ctx(quick=True, sizes=TINY, mpy_dir=str(tmp_path_factory.mktemp("mpy")))
    figs = bench.section_footprint(ctx)
    return ctx, {f.key: f for f in figs}


def test_footprint_figures_each_carry_a_command(footprint):
    _, figs = footprint
    want = {
        "mpy_bytes",
        "deploy_bytes",
        "heap_startup_bytes",
        "alloc_bytes_per_sampling_pass",
        "alloc_bytes_per_tick",
        "heap_day_start_bytes",
        "heap_day_end_bytes",
        "heap_day_peak_bytes",
        "day_alloc_bytes",
        "day_vm_speed",
    }
    assert set(figs) == want
    for f in figs.values():
        assert f.command.startswith(".venv/bin/python -m tools."), f.key
        assert isinstance(f.value, int | float), f.key


def test_flash_size_counts_the_deploy_set_only(footprint):
    ctx, figs = footprint
    sizes = figs["mpy_bytes"].data
    assert "heatpump/controller.mpy" in sizes
    assert "heatpump/hal/sim.mpy" not in sizes  # the simulated HAL is not deployed
    assert figs["mpy_bytes"].value == sum(sizes.values())
    boot_main = sum(os.path.getsize(os.path.join(FIRMWARE, n)) for n in ("boot.py", "main.py"))
    assert figs["deploy_bytes"].value == figs["mpy_bytes"].value + boot_main
    # the VM imported the .mpy files the bench compiled
    assert os.path.exists(os.path.join(ctx.mpy_dir, "heatpump", "controller.mpy"))


def test_startup_heap_imports_every_deployed_module_and_starts_the_controller(footprint):
    _, figs = footprint
    steps = figs["heap_startup_bytes"].data
    labels = [label for label, _ in steps]
    for m in ("heatpump.controller", "heatpump.sensors", "heatpump.hal.esp32", "heatpump.api"):
        assert "import " + m in labels
    assert "import heatpump.hal.sim" not in labels
    assert labels[-4:] == ["Esp32HAL", "Controller", "Api", "10 control ticks"]
    live = dict(steps)
    assert live["Controller"] > live["Esp32HAL"] > live["stand-in machine module"]
    assert figs["heap_startup_bytes"].value == steps[-1][1] - live["stand-in machine module"]


def test_the_control_loop_allocates_nothing_and_the_heap_stays_flat(footprint):
    _, figs = footprint
    assert figs["alloc_bytes_per_sampling_pass"].value == 0
    assert figs["alloc_bytes_per_tick"].value == 0
    day = figs["day_vm_speed"].data
    assert day["seconds"] == TINY["day_s"]
    assert len(day["levels"]) == TINY["day_s"] // TINY["day_step_s"] + 1
    assert figs["day_alloc_bytes"].value == 0
    assert figs["heap_day_end_bytes"].value == figs["heap_day_start_bytes"].value
    assert figs["heap_day_peak_bytes"].value == figs["heap_day_start_bytes"].value


def test_speed_reuses_the_tick_measurement(footprint):
    ctx, _ = footprint
    figs = {f.key: f for f in bench.section_speed(ctx)}
    assert set(figs) == {
        "tick_loop_ratio_micropython",
        "tick_us_micropython",
        "tick_loop_ratio_cpython",
        "tick_us_cpython",
    }
    assert all(f.value > 0 for f in figs.values())


def test_import_order_puts_each_module_after_what_it_imports():
    files = bench_upy.deploy_files("esp32-devkitc")
    mods = [bench_upy.module_name(f.dest) for f in files if f.dest.endswith(".mpy")]
    order = bench_upy.import_order(mods)
    assert sorted(order) == sorted(mods)
    assert order[0] == "heatpump"
    at = {m: i for i, m in enumerate(order)}
    controller = os.path.join(FIRMWARE, "heatpump", "controller.py")
    imported = bench_upy._heatpump_imports(controller)
    assert "heatpump.thermistor" in imported  # imported inside Controller.__init__
    for dep in imported:
        assert at[dep] < at["heatpump.controller"], dep


# ---- the harness, with stand-in sections ---------------------------------------------


def _fig(key, value):
    return bench.Figure(key, value, "B", key, "cmd " + key)


@pytest.fixture
def sections(monkeypatch):
    calls = []

    def good(ctx):
        calls.append("good")
        return [_fig("good_bytes", 3), _fig("good_too_bytes", 4)]

    def broken(ctx):
        calls.append("broken")
        raise RuntimeError("the VM exploded")

    def hook(ctx):
        """A hook."""
        calls.append("hook")
        return []

    monkeypatch.setattr(bench, "SECTIONS", {"good": good, "broken": broken, "hook": hook})
    return calls


def test_a_failing_section_is_reported_the_others_run_and_the_exit_is_1(
    sections, tmp_path, capsys
):
    out = tmp_path / "bench.json"
    assert bench.main(["--out", str(out)]) == 1
    assert sections == ["good", "broken", "hook"]
    text = capsys.readouterr().out
    assert "FAILED: RuntimeError: the VM exploded" in text
    assert "$ cmd good_too_bytes" in text
    assert "no figures yet: section_hook()" in text
    doc = json.loads(out.read_text())
    assert doc["good_bytes"] == 3
    assert doc["sections"]["broken"]["error"] == "RuntimeError: the VM exploded"
    assert doc["sections"]["good"]["commands"]["good_bytes"] == "cmd good_bytes"


def test_only_reruns_some_sections_and_keeps_the_others(sections, tmp_path, monkeypatch):
    out = tmp_path / "bench.json"
    bench.main(["--out", str(out)])
    monkeypatch.setitem(bench.SECTIONS, "good", lambda ctx: [_fig("good_bytes", 5)])
    assert bench.main(["--out", str(out), "--only", "hook,good"]) == 0
    doc = json.loads(out.read_text())
    assert doc["good_bytes"] == 5
    assert "good_too_bytes" not in doc  # the re-run section no longer gives it
    assert doc["sections"]["broken"]["error"]  # not re-run: kept


def test_an_unknown_section_is_refused_with_the_choices_and_nothing_written(
    sections, tmp_path, capsys
):
    out = tmp_path / "bench.json"
    with pytest.raises(SystemExit) as e:
        bench.main(["--out", str(out), "--only", "good,speling"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "unknown section speling" in err and "sections: good, broken, hook" in err
    assert sections == [] and not out.exists()
