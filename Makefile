# Two commands on a fresh machine (Python, pip and gcc only): `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHARED := ../shared/data
RESULTS := results

.PHONY: setup run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

# The main job: analyse OpenSim's example walking trial (subject01) -> table + figure in results/,
# then sweep the default scenario (forward vs backward walking, level/up/downhill) into
# results/forward_vs_backward_walking/ (Parquet store; plots and report arrive with issue 5).
run: $(STAMP)
	rm -rf $(RESULTS)/forward_vs_backward_walking
	$(BIN)/kneeload run forward_vs_backward_walking -o $(RESULTS)/forward_vs_backward_walking
	$(BIN)/kneeload analyze \
	  --kinematics $(SHARED)/opensim_subject01_walk/gait10dof18musc/subject01_walk_IK.mot \
	  --forces $(SHARED)/opensim_subject01_walk/experimental/subject01_walk1_grf.mot \
	  --model $(SHARED)/opensim_subject01_walk/gait10dof18musc/subject01_scaled.osim \
	  --mass 72.6 --side right --out $(RESULTS)/subject01_walk.csv --plot $(RESULTS)/subject01_walk.png

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

# ruff, mypy on src/, the suite, then the kernels and inverse dynamics again with the JIT off
# (pure-Python path: proves the kernels are plain code and measures their coverage, as stumpy does).
test: lint
	$(BIN)/pytest
	NUMBA_DISABLE_JIT=1 $(BIN)/pytest -q -m "not slow" tests/dynamics tests/validation

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) $(RESULTS) build dist
