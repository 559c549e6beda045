"""`make bench` in miniature: the harness and every measurement with tiny sizes, so the
bench cannot rot between the runs that produce figures. No timing is asserted."""

import json
import os
import sys

import pytest

from tools import FIRMWARE
from tools.bench import quality
from tools.bench import suite as bench
from tools.bench import upy as bench_upy
from tools.bench.plants import RUNS
from tools.sim import scenario as scenario_mod

pytestmark = pytest.mark.slow  # not in make check: every bench section, at tiny sizes

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
    labels = [step[0] for step in steps]
    for m in ("heatpump.controller", "heatpump.sensors", "heatpump.hal.esp32", "heatpump.api"):
        assert "import " + m in labels
    assert "import heatpump.hal.sim" not in labels
    assert labels[-4:] == ["Esp32HAL", "Controller", "Api", "10 control ticks"]
    live = {step[0]: step[1] for step in steps}
    names = [step[2] for step in steps]
    # Names only accumulate (MicroPython never frees one), and importing the firmware
    # interns hundreds; the pools' bytes grow with them.
    assert names == sorted(names) and names[-1] - names[0] > 300, names
    assert [step[3] for step in steps] == sorted(step[3] for step in steps)
    assert live["Esp32HAL"] > live["stand-in machine module"]
    # The Controller lets the thermistor models go once its tables are built (lazy.py).
    assert live["Controller"] > live["stand-in machine module"]
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


def test_life_section_gives_the_boards_heap_figures(monkeypatch):
    # The real runs are host_tests/test_footprint*.py's; here the section's own work,
    # with six hours of life in each run and the bisection's own test below.
    ctx = bench.Ctx(quick=True, sizes={"life_days": 0.25, "ticks": 20})
    monkeypatch.setattr(bench_upy, "smallest_unix_heap", lambda image, days: 216)
    figs = {f.key: f for f in bench.section_life(ctx)}
    assert set(figs) == {
        "life_boot_bytes",
        "life_steady_bytes",
        "life_peak_bytes",
        "unix_smallest_heap_kb",
        "unix_largest_free_bytes",
        "unix_boot_bytes",
        "unix_romfs_boot_bytes",
        "unix_alloc_bytes_per_tick",
    }
    # Code run in place from ROMFS is not in the heap: a quarter or more of it goes.
    assert figs["unix_romfs_boot_bytes"].value < 0.75 * figs["unix_boot_bytes"].value
    assert 0 < figs["life_boot_bytes"].value <= figs["life_peak_bytes"].value
    assert "about 151 KB on the ESP32" in figs["unix_smallest_heap_kb"].lines[0]
    assert figs["unix_largest_free_bytes"].value > 0
    assert figs["unix_alloc_bytes_per_tick"].value == 0
    for f in figs.values():
        assert f.command.startswith(".venv/bin/python -m tools."), f.key


def test_the_smallest_heap_is_found_by_bisection_over_whole_runs(monkeypatch):
    tried = []

    def life_unix(image, days, heap):
        tried.append(heap)
        if int(heap.rstrip("K")) < 212:
            raise bench_upy.VmError(f"MemoryError in {heap}")

    monkeypatch.setattr(bench_upy, "life_unix", life_unix)
    assert bench_upy.smallest_unix_heap("image", 1) == 216  # the multiple of 8 at or above
    assert tried[0] == "512K", "the top is checked first"
    assert len(tried) <= 7, tried


def test_import_order_puts_each_module_after_what_it_imports():
    files = bench_upy.deploy_files("esp32-devkitc")
    mods = [bench_upy.module_name(f.dest) for f in files if f.dest.endswith(".mpy")]
    order = bench_upy.import_order(mods)
    assert sorted(order) == sorted(mods)
    assert order[0] == "heatpump"
    at = {m: i for i, m in enumerate(order)}
    for name in ("controller", "control"):
        imported = bench_upy._heatpump_imports(os.path.join(FIRMWARE, "heatpump", name + ".py"))
        assert imported, name
        for dep in imported:
            assert at[dep] < at["heatpump." + name], (name, dep)
    # control.py holds the config rules with lazy.Held while it builds its parts
    assert at["heatpump.lazy"] < at["heatpump.control"]


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


# ---- the firmware against the reference thermostat -----------------------------------

# 6 simulated minutes a day, one process: the sections run for real, quickly.
TINY_QUALITY = {"cq_h": 0.1, "season_every_d": 182, "season_first_d": 15, "season_h": 0.1}


@pytest.fixture(scope="module")
def quality_ctx(tmp_path_factory):
    return bench.Ctx(
        quick=True,
        sizes={**TINY_QUALITY, "procs": 1},
        plot_dir=str(tmp_path_factory.mktemp("plots")),
    )


@pytest.fixture(scope="module")
def control_quality(quality_ctx):
    return {f.key: f for f in bench.section_control_quality(quality_ctx)}


def test_control_quality_gives_every_metric_for_both_controllers_on_every_day(control_quality):
    for name in RUNS:
        for who in ("fw", "ref"):
            for suffix, _, _ in bench.QUALITY_KEYS.values():
                key = f"{bench.cq_key(name)}_{who}_{suffix}"
                assert key in control_quality, key
                assert control_quality[key].command == bench.bench_cmd("control_quality")
    detail = control_quality["cq_scenarios"].data
    assert detail["hours"] == dict.fromkeys(RUNS, TINY_QUALITY["cq_h"])
    assert detail["plants"]["B cold-week"] == "B" and detail["plants"]["summer-hot"] == "ours"
    # the table names every run, and the JSON figures are the table's numbers
    text = "\n".join(control_quality["cq_scenarios"].lines)
    for name in RUNS:
        assert name in text
        m = detail["metrics"][name]["ref"]
        assert control_quality[f"{bench.cq_key(name)}_ref_starts"].value == m["compressor_starts"]
        heat = m["heat_delivered_kwh"] + m["cool_delivered_kwh"]
        per_kwh = control_quality[f"{bench.cq_key(name)}_ref_heat_per_kwh"].value
        assert per_kwh == pytest.approx(heat / m["energy_kwh"], abs=2e-3)


def test_the_firmware_keeps_its_safety_rules_and_waits_min_off_after_boot(control_quality):
    for name in RUNS:
        assert control_quality[f"{bench.cq_key(name)}_fw_breaks"].value == 0, name
        m = control_quality["cq_scenarios"].data["metrics"][name]
        # 6 minutes from power-up: ours may start once, after min_off (180 s) + 0-30 s
        assert m["fw"]["compressor_starts"] <= 1, name
        assert m["fw"]["compressor_runtime_h"] <= 0.1 - 180 / 3600 + 1e-9, name


def test_the_dry_cold_day_heats_with_the_heat_pump_at_our_defaults(control_quality):
    # -13..-6 C is inside the unit's envelope (heating down to -15 C in the board file):
    # no lockout, the compressor heats. The room starts 2 C low, so the aux heater runs
    # in the restart wait after power-up and until the heat pump's air is warm: at its
    # 3 kW, for the 180-210 s wait and a warm-up of at most cold_blow_max_s (120 s).
    m = control_quality["cq_scenarios"].data["metrics"]["winter-dry-cold"]["fw"]
    assert "E4" not in m["faults"]
    assert m["compressor_starts"] == 1
    assert 0 < m["aux_kwh"] <= 3.0 * 330 / 3600


def test_the_winter_plot_is_written(control_quality, quality_ctx):
    path = os.path.join(quality_ctx.plot_dir, bench.CQ_PLOT)
    assert os.path.getsize(path) > 10_000
    assert control_quality["cq_scenarios"].data["plot"] == path


def test_seasonal_weights_the_sampled_days_by_month(quality_ctx):
    figs = {f.key: f for f in bench.section_seasonal(quality_ctx)}
    detail = figs["season_days_sampled"].data
    plan = detail["plan"]
    assert [e["day"] for e in plan] == [15, 197]  # 16 January, 17 July
    assert [e["weight"] for e in plan] == [31, 31]
    months = {row["month"]: row for row in detail["months"]}
    for who in ("fw", "ref"):
        year = sum(months[m][who]["energy_kwh"] for m in months)
        assert figs[f"season_{who}_energy_kwh"].value == pytest.approx(year, abs=1e-3)
    assert figs["season_fw_breaks"].value == 0
    assert "--quick: a smoke run, not a year" in figs["season_days_sampled"].lines


def test_season_plan_covers_the_year_and_picks_the_mode_from_the_month():
    plan = quality.season_plan(seed=1, every_d=7, first_d=3)
    assert [e["day"] for e in plan] == list(range(3, 365, 7))
    assert sum(e["weight"] for e in plan) == pytest.approx(365)
    means = quality.month_means(1)
    for m, n in enumerate(quality.MONTH_DAYS):
        entries = [e for e in plan if e["month"] == m]
        assert sum(e["weight"] for e in entries) == pytest.approx(n)
        want = "heat" if means[m] < 10 else "cool" if means[m] > 20 else "auto"
        assert {e["mode"] for e in entries} == {want}
    by_month = {quality.MONTHS[e["month"]]: e["mode"] for e in plan}
    assert by_month["Jan"] == "heat" and by_month["Jul"] == "auto"  # seed 1: a mild summer
    assert {e["setpoint_c"] for e in plan if e["mode"] == "heat"} == {21.0}
    # no yesterday: the room starts just off the setpoint, on the side the day pulls it to
    for e in plan:
        below = e["day_mean_c"] < e["setpoint_c"]
        assert e["start_room_c"] == pytest.approx(e["setpoint_c"] + (-0.1 if below else 0.1))
    sc = quality.day_scenario(plan[30], seed=1, hours=24, board="esp32-devkitc")
    assert sc["start"] == {"room_c": plan[30]["start_room_c"], "hour": 0}
    assert sc["weather"] == {"kind": "year", "seed": 1, "start_day": plan[30]["day"]}
    assert sc["settings"]["mode"] == plan[30]["mode"]


def test_month_of_a_day_and_bad_plans_are_refused():
    assert [quality.month_of(d) for d in (0, 30, 31, 58, 59, 364)] == [0, 0, 1, 1, 2, 11]
    with pytest.raises(ValueError, match="day must be 0..364; got 365"):
        quality.month_of(365)
    with pytest.raises(ValueError, match="every_d 1..365 and first_d 0..364; got 0, 3"):
        quality.season_plan(every_d=0)


def test_combine_sums_weighted_days_and_keeps_the_worst_case():
    def day(kwh, starts, comfort, most, low):
        m = dict.fromkeys(quality._SUMMED, 0.0)
        m.update(energy_kwh=kwh, compressor_starts=starts, comfort_pct=comfort)
        m.update(max_starts_in_any_hour=most, min_room_c=low, max_room_c=low + 3)
        return m

    out = quality.combine(
        [(2.0, 24.0, day(10, 50, 90.0, 4, 20.0)), (3.0, 12.0, day(4, 10, 60.0, 6, 19.5))]
    )
    assert out["energy_kwh"] == 2 * 10 + 3 * 4
    assert out["compressor_starts"] == 2 * 50 + 3 * 10
    # comfort over the time asked: 48 h at 90 %, 36 h at 60 %
    assert out["comfort_pct"] == pytest.approx((48 * 90 + 36 * 60) / 84)
    assert out["max_starts_in_any_hour"] == 6 and out["min_room_c"] == 19.5
    assert out["days"] == 5


def test_a_process_pool_gives_each_job_its_own_result():
    sc = scenario_mod.load("winter-humid")
    sc["duration_h"] = 0.05
    jobs = [quality.Job("w", sc, who) for who in ("fw", "ref")]
    alone = quality.run_jobs(jobs, procs=1)
    pooled = quality.run_jobs(jobs, procs=2)
    for key in alone:
        assert pooled[key]["metrics"] == alone[key]["metrics"]
    assert alone[("w", "ref")]["metrics"] != alone[("w", "fw")]["metrics"]


def test_defrost_section_compares_the_defrost_modes_on_both_winter_days(quality_ctx, capsys):
    figs = {f.key: f for f in bench.section_defrost(quality_ctx)}
    res = figs["defrost_compare_runs"].data
    assert set(res) == {"winter-humid", "winter-dry-cold", "capacity"}
    for day, modes in res.items():
        oracle = {"oracle"} if day == "capacity" else set()
        assert set(modes) == {"demand", "timed", "frost-free"} | oracle
        key = f"defrost_{day.replace('-', '_')}_frost_free_defrosts"
        assert figs[key].value == 0  # frost held at zero: nothing to defrost
    assert figs["defrost_compare_runs"].value == 10
    bench.print_section("defrost", list(figs.values()))
    text = capsys.readouterr().out
    assert "winter-dry-cold (as its scenario sets it)" in text
    assert "tools.bench.defrost_compare" in text
    assert "oracle_frost_kg" in text


def test_defrost_section_says_why_it_has_no_figures(monkeypatch, capsys):
    import tools.bench

    monkeypatch.setitem(sys.modules, "tools.bench.defrost_compare", None)  # import fails
    monkeypatch.delattr(tools.bench, "defrost_compare", raising=False)
    figs = bench.section_defrost(bench.Ctx(quick=True))
    assert [f.value for f in figs] == [None]
    bench.print_section("defrost", figs)
    assert (
        "no figures: tools/bench/defrost_compare.py cannot be imported" in capsys.readouterr().out
    )


def test_sim_speed_projects_a_year(quality_ctx):
    ctx = bench.Ctx(quick=True, sizes={"sim_h": 0.05})
    figs = {f.key: f for f in bench.section_sim_speed(ctx)}
    assert figs["sim_speed"].value > 1
    # Rounded to 0.01 h: within half of that, whatever the speed (rel=1% failed at 0.45 h).
    year_h = 8760 / figs["sim_speed"].value
    assert figs["sim_year_wall_h"].value == pytest.approx(year_h, abs=0.005, rel=0.01)


def test_a_figure_kept_for_json_only_prints_its_lines_not_its_value():
    shown = bench.Figure("a_bytes", 7, "B", "shown", "cmd")
    hidden = bench.Figure("b_bytes", 8, "B", "hidden one", "cmd", ["a table line"], show=False)
    printed = []
    bench.print_section("x", [hidden, shown], printed.append)
    assert not any("hidden one" in line for line in printed)
    assert "      a table line" in printed
    assert any(line.startswith("  shown ...") and line.endswith(" 7 B") for line in printed)
