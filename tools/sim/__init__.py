"""The simulator: the firmware against a simulated room and heat pump.

engine.py runs a scenario (run_scenario, Run), cli.py is `python -m tools.sim`, live.py
its console; scenario.py reads the input, metrics.py and invariants.py judge a run,
abuse.py makes a hostile one, reference.py is the standard controller it is compared
with, plot.py draws a run. The plant (room and unit) is tools/plant.
"""

from tools.sim.engine import CRASHED, POWER_OFF, STEP_MS, TRACE_COLUMNS, MemFS, Run, run_scenario

__all__ = [
    "CRASHED",
    "POWER_OFF",
    "STEP_MS",
    "TRACE_COLUMNS",
    "MemFS",
    "Run",
    "run_scenario",
    "main",
]


def main(argv=None):
    """`python -m tools.sim` (cli.py)."""
    from tools.sim.cli import main as cli_main

    return cli_main(argv)
