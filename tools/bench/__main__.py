from tools import run_cli
from tools.bench.suite import main

run_cli(main)
