# envsched: one command to run, one to test. Needs only python3 (3.11+) on the machine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# touched after a successful install; reinstalls when pyproject.toml changes
INSTALLED := $(VENV)/.installed

.PHONY: install run test lint bench clean

install: $(INSTALLED)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

## run: plan the demo scenario and print the plan summary
run: install
	mkdir -p instance
	$(BIN)/envsched plan data/demo.json --out instance/demo-plan.json
	$(BIN)/envsched check data/demo.json instance/demo-plan.json

## test: the whole test suite (the README's test command)
test: install
	$(BIN)/python -m pytest

## lint: ruff and mypy, as CI runs them
lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

## bench: generated scenarios of growing size, greedy and CP-SAT, plans in bench/results/
BENCH_SIZES ?= 10x4 40x10 120x24
BENCH_TIME_LIMIT ?= 30
bench: install
	mkdir -p bench/results
	for size in $(BENCH_SIZES); do \
	  releases=$${size%x*}; environments=$${size#*x}; \
	  scenario=bench/results/scenario-$$size.json; \
	  $(BIN)/envsched generate --releases $$releases --environments $$environments \
	    --seed 1 --out $$scenario || exit 1; \
	  for method in greedy cp-sat; do \
	    echo "== $$size $$method"; \
	    $(BIN)/envsched plan $$scenario --method $$method --time-limit $(BENCH_TIME_LIMIT) \
	      --out bench/results/plan-$$size-$$method.json 2>/dev/null || exit 1; \
	  done; \
	done

clean:
	rm -rf $(VENV) instance/demo-plan.json bench/results .pytest_cache .mypy_cache .ruff_cache
