# Two commands for a fresh clone: `make demo` and `make test`. Each creates .venv by itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test
STAMP_BENCH := $(VENV)/.installed-bench

.PHONY: demo test bench lint typecheck unit sample docs notebooks fuzz mutation clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The demo persists its orders and periods in SQLite: the run install includes the sql extra.
$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[sql]'
	touch $@

$(STAMP_TEST): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(STAMP_RUN)

demo: $(STAMP_RUN)
	$(BIN)/python -m fenxiao demo

lint: $(STAMP_TEST)
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/ruff format --check src tests benchmarks tools

typecheck: $(STAMP_TEST)
	$(BIN)/mypy

# Two workers: CI machines have two cores. `make unit PYTEST_ARGS=` runs in one process.
PYTEST_ARGS ?= -n 2 --durations=15
unit: $(STAMP_TEST)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test: lint typecheck unit

$(STAMP_BENCH): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	touch $@ $(STAMP_TEST) $(STAMP_RUN)

bench: $(STAMP_BENCH)
	$(BIN)/python benchmarks/run.py

# The docs site: built strictly into site/, then served at http://127.0.0.1:8000 (Ctrl-C to stop).
docs: $(STAMP_TEST)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve

# The example notebooks (docs/notebooks) alone: each run top to bottom in a Jupyter kernel and checked to be stored
# without outputs (part of `make test`), with each notebook's time. Re-save one after editing it in Jupyter with
# `$(BIN)/python tools/strip_notebook.py docs/notebooks/NAME.ipynb`.
notebooks: $(STAMP_TEST)
	$(BIN)/python -m pytest -n 2 -q --durations=5 tests/test_notebooks.py

# Fuzz the loaders (policy, catalog, scorecards) for FUZZ_SECONDS each; findings are written as crash-* files.
FUZZ_SECONDS ?= 60
fuzz: $(STAMP_TEST)
	$(BIN)/python -m pip install --quiet -e '.[fuzz]'
	$(BIN)/python tools/fuzz.py --seconds $(FUZZ_SECONDS)

# Mutation testing (mutmut) of money, the condition language, the settlement split and tiers, each against its own
# tests; the scores and every surviving mutant are in docs/testing.md. Long: `make mutation MUTATION_ARGS=money`
# runs one group; MUTATION_CHILDREN=2 runs two mutants at a time.
MUTATION_ARGS ?=
MUTATION_CHILDREN ?= 1
mutation: $(STAMP_TEST)
	$(BIN)/python -m pip install --quiet -e '.[mutation]'
	$(BIN)/python tools/mutation.py --children $(MUTATION_CHILDREN) $(MUTATION_ARGS)

# Regenerate the built-in sample catalog from its seeded generator.
sample: $(STAMP_RUN)
	$(BIN)/python tools/generate_sample.py

clean:
	rm -rf $(VENV) build dist site src/*.egg-info
