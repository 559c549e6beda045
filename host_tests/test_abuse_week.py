"""Issue 12: the bundled abuse week (scenarios/abuse-week.json: a week of the abuse
generator's every kind, once a minute: hp.* calls, config changes, flapping sensors,
float chatter, a stuck valve, resets) holds every invariant, and its metrics stay inside
the firmware's bounds. A file of its own, so that make test runs it beside
test_abuse_props.py's random runs."""

import pytest

from tools.sim import run_scenario, scenario
from tools.sim.invariants import MELT_SLACK_S

# The short runs an hour the checker allows when the firmware states none
# (tools/sim/invariants.py rule 2b; the fixed firmware's max_early_stops otherwise).
EARLY_STOPS_DEFAULT = 3


@pytest.mark.slow  # about a minute of CPU: make test runs it, make check does not
def test_the_abuse_week_holds_every_invariant_and_its_bounds():
    result, run, _rows = run_scenario(scenario.load("abuse-week"), progress=False)
    cfg = run.check_config
    assert run.violations == [], run.violations[:5]
    assert result["defrosts"] > 0 and all(result["resets"].values())
    assert result["longest_defrost_compressor_s"] <= cfg["defrost_max_s"] + MELT_SLACK_S
    early_stops = cfg.get("max_early_stops", EARLY_STOPS_DEFAULT)
    assert result["max_short_runs_in_any_hour_no_melt"] <= early_stops
    assert result["max_thermostat_starts_in_any_hour"] <= cfg["max_starts_per_hour"]
