# Two commands on a fresh machine (Python, pip and gcc only): `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# the runtime install is enough for `make run`; `make test` adds the dev tools (ruff, mypy,
# pytest, dask, the notebook kernel)
RUN_STAMP := $(VENV)/.installed-run
STAMP := $(VENV)/.installed
SHARED := ../shared/data
RESULTS := results

.PHONY: setup run test lint bench clean

# uv resolves and downloads in parallel: the runtime install takes ~13 s instead of pip's ~60 s
# on a fresh machine (issue 5: `make run` within 120 s including the install)
UV := $(BIN)/python -m uv pip install --quiet --python $(BIN)/python

$(RUN_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv
	$(UV) -e .
	touch $(RUN_STAMP)

$(STAMP): $(RUN_STAMP)
	$(UV) -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

# The main job: sweep the default scenario (forward vs backward walking, level/up/downhill,
# incl. the Cha 2016 3 km/h 10 % protocol) into results/forward_vs_backward_walking/ (Parquet
# store, figures and report.html, whose path is printed), then analyse OpenSim's
# subject01 walk -> results/subject01_walk.csv + .png.
run: $(RUN_STAMP)
	rm -rf $(RESULTS)/forward_vs_backward_walking
	$(BIN)/kneeload run forward_vs_backward_walking -o $(RESULTS)/forward_vs_backward_walking
	$(BIN)/kneeload analyze \
	  --kinematics $(SHARED)/opensim_subject01_walk/gait10dof18musc/subject01_walk_IK.mot \
	  --forces $(SHARED)/opensim_subject01_walk/experimental/subject01_walk1_grf.mot \
	  --model $(SHARED)/opensim_subject01_walk/gait10dof18musc/subject01_scaled.osim \
	  --mass 72.6 --side right --out $(RESULTS)/subject01_walk.csv --plot $(RESULTS)/subject01_walk.png
	@echo "report: $(RESULTS)/forward_vs_backward_walking/report.html"

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

# ruff, mypy on src/, the suite, then the kernels and inverse dynamics again with the JIT off
# (pure-Python path: proves the kernels are plain code and measures their coverage, as stumpy does).
test: lint
	$(BIN)/pytest
	NUMBA_DISABLE_JIT=1 $(BIN)/pytest -q -m "not slow" tests/dynamics tests/validation

bench: $(RUN_STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) $(RESULTS) build dist
