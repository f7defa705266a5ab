# vla-harness: `make eval` installs everything and runs a small real LIBERO evaluation; `make test` runs the tests.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
CLI := $(VENV)/bin/vla-harness
export MUJOCO_GL ?= egl
export PYOPENGL_PLATFORM ?= egl

BENCH ?= libero_spatial
POLICY ?= random
TASKS ?= 0,1
TRIALS ?= 1
RUNNER ?= local
WORKERS ?= 1
OUT ?= runs
ARGS ?=
# POLICY may be a checkpoint path: it then means vla_jepa with that checkpoint.
POLICY_ARGS := $(if $(wildcard $(POLICY)),--policy vla_jepa --checkpoint $(POLICY),--policy $(POLICY))
# BENCH=libero_plus / libero_pro: a small stratified sample by default (SAMPLE variants per dimension x suite of
# LP_SUITES, base TASKS only; docs/libero_plus.md, docs/libero_pro.md); BENCH=libero_para: SAMPLE paraphrases per axis
# of base TASKS (docs/libero_para.md). SAMPLE= LP_SUITES=libero_spatial,libero_object,libero_goal,libero_10 for more.
SAMPLE ?= 1
LP_SUITES ?= libero_spatial
LP_ARGS := $(if $(filter libero_plus libero_pro,$(BENCH)),--suites $(LP_SUITES) $(if $(SAMPLE),--sample $(SAMPLE)))\
	$(if $(filter libero_para,$(BENCH)),$(if $(SAMPLE),--sample $(SAMPLE)))
# PERTURB=light LEVELS=0-5: native perturbation sweep of a LIBERO suite (docs/perturbations.md).
PERTURB ?=
LEVELS ?= 0-5
PERTURB_ARGS := $(if $(PERTURB),--perturb $(PERTURB) --levels $(LEVELS))
# PROTOCOL=vla-jepa|openpi|lerobot: a paper's LIBERO / LIBERO-Plus protocol (docs/protocols.md); default libero's.
PROTOCOL ?=
PROTOCOL_ARGS := $(if $(PROTOCOL),--protocol $(PROTOCOL))

.PHONY: install install-system install-python eval resume test test-fast lint bench bench-api bench-ray bench-serve bench-view bench-conventions bench-wire report check-regression list clean train-jepa jepa-data

install: install-system install-python

install-system:
	bash scripts/install_system.sh

install-python:
	bash scripts/install_python.sh

eval: install
	$(CLI) eval --bench $(BENCH) $(POLICY_ARGS) --tasks $(TASKS) --trials $(TRIALS) \
		--runner $(RUNNER) --workers $(WORKERS) --out $(OUT) $(PERTURB_ARGS) $(LP_ARGS) $(PROTOCOL_ARGS) $(ARGS)

resume: install
	$(CLI) resume $(RUN) $(ARGS)

list: install-python
	$(CLI) list

# make report RUNS="runs/a runs/b" [FORMAT=md|latex|csv] [REPORT_DIR=reports/x]: prints, or writes files + plots.
report: install-python
	$(CLI) report $(RUNS) $(if $(FORMAT),--format $(FORMAT)) $(if $(REPORT_DIR),--out $(REPORT_DIR)) $(ARGS)

# make check-regression BASELINE=runs/base CANDIDATE=runs/new [ARGS="--tolerance 0.02 --alpha 0.05"]: exit 1 = regression.
check-regression: install-python
	$(CLI) compare $(BASELINE) $(CANDIDATE) $(ARGS)

test: install lint
	$(PY) -m pytest tests $(ARGS)

# ruff (rules in pyproject.toml [tool.ruff]); `make test` runs it first, so CI does too.
lint: install-python
	$(PY) -m ruff check .

test-fast: install-python
	$(PY) -m pytest tests -m "not sim" $(ARGS)

# VLA-JEPA: record its training data (oracle demos from fresh placements, never an evaluation init state; see
# scripts/record_jepa_data.sh), then train both stages and the no-stage-1 ablation on CPU (docs/vla_jepa.md).
JEPA_DATA := data/jepa2_spatial data/jepa2_object
JEPA_ROUNDS ?= 11
JEPA_VIDEO := data/jepa2_video_goal data/jepa2_video_goal_perturbed data/jepa2_video_10 data/jepa2_video_90 \
	data/jepa2_video_90_perturbed
JEPA_ARGS ?=
jepa-data: install
	CLI="$(CLI)" bash scripts/record_jepa_data.sh $(JEPA_ROUNDS) 5

JEPA_SEED ?= 0
JEPA_OUT ?= checkpoints/vla_jepa_v2$(if $(filter-out 0,$(JEPA_SEED)),_s$(JEPA_SEED))
JEPA_STEPS := --per-task 0 --set data_seed=0 --set holdout_fraction=0.06 --set stage1_steps=2500 --set stage2_steps=6000 \
	--set seed=$(JEPA_SEED)
train-jepa: jepa-data
	nice -n 10 $(CLI) train --preset small --data $(JEPA_DATA) --video $(JEPA_VIDEO) --out $(JEPA_OUT) $(JEPA_STEPS) $(JEPA_ARGS)
	nice -n 10 $(CLI) train --preset small_no_stage1 --data $(JEPA_DATA) --video $(JEPA_VIDEO) --out $(JEPA_OUT)_no_stage1 \
		$(JEPA_STEPS) $(JEPA_ARGS)

bench: install
	$(PY) scripts/bench_loop.py $(ARGS)

# Conventions conversion per decision point vs the render it follows (docs/conventions.md has the figures).
bench-conventions: install
	$(PY) scripts/bench_conventions.py $(ARGS)

# Policy server throughput: 1/2/4/8 clients, batching off/on (docs/remote.md has the figures).
bench-serve: install-python
	$(PY) scripts/bench_serve.py $(ARGS)

# Local runner vs Ray runner on the same LIBERO episodes: episodes/hour, scaling, start-up, memory (docs/ray.md).
bench-ray: install
	$(PY) scripts/bench_ray.py $(ARGS)

# The Python API's warm envs: first vs later in-loop evaluation calls on LIBERO, a cold call, a CLI process (docs/python_api.md).
bench-api: install
	$(PY) scripts/bench_api.py $(ARGS)

# Viewer page weight and load time in headless Chromium on two synthetic 10,045-episode LIBERO-Plus runs (docs/viewer.md).
bench-view: install
	$(PY) scripts/bench_view.py $(ARGS)

# The env child process's wire vs in-process, on the official SimplerEnv stack (docs/simpler.md has the figures).
bench-wire: install
	$(PY) scripts/bench_env_wire.py $(ARGS)

clean:
	rm -rf runs .pytest_cache
