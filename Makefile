# The README's commands. `make lab` sets everything up and opens JupyterLab; `make test` runs the
# whole test suite. Both create the virtual environment on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.jaxscope-installed
WORKSPACE ?= workspace
NB ?=
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: lab test build workspace progress lint nbval unit clean bench

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

## lab: create the venv if needed, install, generate the learner workspace, open JupyterLab
lab: $(STAMP) workspace
	$(BIN)/python -m jaxscope lab --workspace $(WORKSPACE)

## test: lint, unit tests, nbval over the notebooks and the browser suite; then nbval again,
## serially and last notebook first, so no notebook depends on another or on the first pass;
## then once more as if on a GPU, so the allowances for other devices are exercised too
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check widgets tests benchmarks classroom
	$(BIN)/python -m pytest -n 2 --dist loadfile $(NBVAL)
	$(BIN)/python -m pytest -q $(NBVAL) --notebook-order=reverse notebooks
	JAXSCOPE_CHECK_PLATFORM=gpu $(BIN)/python -m pytest -q -n 2 --dist loadfile $(NBVAL) notebooks

## workspace: learner copies of the notebooks (never overwrites a learner's edits)
workspace: $(STAMP)
	$(BIN)/python -m jaxscope workspace --dest $(WORKSPACE)

## build: execute each notebook's text source (notebooks/NN-slug.md) into NN-slug.ipynb with outputs
## (NB=01 for one)
build: $(STAMP)
	$(BIN)/python -m jaxscope build $(NB)

## progress: the curriculum check over the learner workspace, with a per-table summary
progress: $(STAMP)
	$(BIN)/python -m jaxscope progress --workspace $(WORKSPACE)

unit: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile tests

nbval: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile $(NBVAL) notebooks

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check widgets tests benchmarks classroom

clean:
	rm -rf $(VENV) test-artifacts

## bench: performance measurements; writes benchmarks/report.md and report.json
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py
