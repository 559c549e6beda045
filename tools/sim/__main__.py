from tools import run_cli
from tools.sim.cli import main

run_cli(main)
