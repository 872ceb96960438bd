# envsched: one command to run, one to test. Needs only python3 (3.11+) on the machine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# touched after a successful install; reinstalls when pyproject.toml or the lock changes
INSTALLED := $(VENV)/.installed
# the exact versions (with their hashes) that CI installs: runtime and dev extra together
LOCK := requirements/dev.lock
LOCK_COMMAND := $(BIN)/uv pip compile pyproject.toml --extra dev --universal \
	--python-version 3.11 --generate-hashes --quiet --custom-compile-command 'make lock'

.PHONY: install run test lint bench clean lock lock-upgrade

## install: the locked versions, then envsched itself (editable, its dependencies are locked)
install: $(INSTALLED)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): $(BIN)/python pyproject.toml $(LOCK)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(INSTALLED)

## lock: bring requirements/dev.lock in line with pyproject.toml, keeping the versions
## already locked where they still fit (after adding, removing or changing a dependency)
lock: install
	$(LOCK_COMMAND) -o $(LOCK)

## lock-upgrade: re-resolve every locked version to the newest that pyproject.toml allows
lock-upgrade: install
	$(LOCK_COMMAND) --upgrade -o $(LOCK)

## run: migrate the SQLite database under instance/, load the demo bank (first time only),
## start the worker (solves and the nightly round) and serve the web app on
## http://127.0.0.1:5000 with waitress; Ctrl-C stops both
run: install
	mkdir -p instance
	$(BIN)/envsched db upgrade
	@$(BIN)/envsched demo || echo "(the database already holds data: the demo is not loaded again)"
	@echo "envsched: open http://127.0.0.1:5000/ and sign in as one of the demo users:"
	@$(BIN)/python -c "import json; [print(f\"  {u['name']:<6} {u['role']:<20} password {u['password']}\") for u in json.load(open('data/demo_bank.json'))['users']]"
	@$(BIN)/envsched worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/envsched serve --host 127.0.0.1 --port 5000

## test: the whole test suite (the README's test command)
test: install
	$(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder

## lint: ruff and mypy, as CI runs them
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## bench: generated scenarios of growing size (greedy and CP-SAT), then classic job shops;
## Markdown tables on stdout, CSV in bench/results/ (docs/benchmarks.md reads them)
BENCH_SIZES ?= 100,1k,5k,target
BENCH_TIME_LIMIT ?= 60
bench: install
	mkdir -p bench/results
	$(BIN)/python bench/plan_bench.py --sizes $(BENCH_SIZES) --time-limit $(BENCH_TIME_LIMIT) \
	  --csv bench/results/plan.csv
	$(BIN)/python bench/jobshop.py --csv bench/results/jobshop.csv

clean:
	rm -rf $(VENV) instance/demo-plan.json bench/results .pytest_cache .mypy_cache .ruff_cache
