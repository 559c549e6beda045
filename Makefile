# Entry points. Every target bootstraps the tools it needs (a .venv from the pinned
# requirements, the pinned npm packages, the ESP32 type stubs), so a fresh clone needs
# only Python 3.11, Node 20 and make.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
SCENARIO ?= scenarios/winter-humid.json
BOARD ?= esp32-devkitc
FIRMWARE_PY := $(shell find firmware -name '*.py' -not -path '*/__pycache__/*')

.PHONY: help tools lint mpy check test test-long sim bench deploy repl freeze clean

help:
	@echo "make sim [SCENARIO=scenarios/X.json]   run the firmware against the simulated unit"
	@echo "make check                             lint, types, mpy-cross and the fast tests (under a minute)"
	@echo "make test                              every check (lint, types, mpy-cross, pytest, MicroPython)"
	@echo "make test-long                         the same with many more property-test examples"
	@echo "make bench                             footprint, speed and control-quality figures"
	@echo "make deploy PORT=/dev/ttyUSB0 BOARD=$(BOARD) [DRY_RUN=1]"
	@echo "make repl PORT=/dev/ttyUSB0            attach to the running REPL without a reset"
	@echo "make freeze                            write build/manifest.py for a frozen image"

$(VENV)/.stamp: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

node_modules/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

typings/.stamp: requirements-stubs.txt $(VENV)/.stamp
	rm -rf typings
	$(BIN)/pip install --disable-pip-version-check -q --no-deps --target typings -r requirements-stubs.txt
	touch $@

tools: $(VENV)/.stamp node_modules/.stamp typings/.stamp

lint: tools
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	node_modules/.bin/pyright

mpy: $(VENV)/.stamp
	$(PY) -m tools.device.mpy build/mpy

# The fast tier: every test not marked slow, property tests with a few examples each.
check: tools lint mpy
	HYPOTHESIS_PROFILE=quick $(BIN)/pytest -n 2 --dist loadfile -m "not slow"

test: tools lint mpy
	$(BIN)/pytest -n 2 --dist loadfile

test-long: tools
	HYPOTHESIS_PROFILE=long $(BIN)/pytest

sim: tools
	$(PY) -m tools.sim run $(SCENARIO) --out build/sim/$(basename $(notdir $(SCENARIO)))

bench: tools
	$(PY) -m tools.bench

deploy: tools
	$(PY) -m tools.device.deploy deploy --port "$(PORT)" --board "$(BOARD)" $(if $(DRY_RUN),--dry-run) $(if $(FROZEN),--frozen)

repl: $(VENV)/.stamp
	$(PY) -m tools.device.deploy repl --port "$(PORT)" $(if $(DRY_RUN),--dry-run)

freeze: tools
	$(PY) -m tools.device.deploy freeze --board "$(BOARD)" --out build/manifest.py

clean:
	rm -rf build .pytest_cache .hypothesis .ruff_cache
