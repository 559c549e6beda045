"""The benchmarks (`make bench`, `python -m tools.bench`): suite.py runs them, upy.py
drives the MicroPython VMs and upy_bench/ holds the scripts they run on the board
side; tick_alloc.py counts a tick's allocations, quality.py and defrost_compare.py
compare controls on the plant.
"""
