#!/usr/bin/env bash
# Virtual environment with every simulator in one place. torch goes first so the local CPU wheel is kept
# (a package asking for plain `torch` later would otherwise pull a CUDA build of several GB).
# Each step leaves a stamp named by the hash of the files it reads, so an installed checkout skips it (make eval is
# then only the eval) and a checkout whose requirements or packaging changed installs again.
set -euo pipefail
VENV=${VENV:-.venv}
PY=${PYTHON:-python3}
key() { cat "$@" | sha256sum | cut -c1-16; }
deps="$VENV/.vla-harness-deps.$(key requirements.txt)"
editable="$VENV/.vla-harness-editable.$(key setup.py pyproject.toml)"
if [ ! -x "$VENV/bin/python" ]; then "$PY" -m venv "$VENV"; fi
if [ ! -f "$deps" ]; then
  "$VENV/bin/pip" install -q --upgrade pip
  "$VENV/bin/pip" install -q torch==2.13.0
  "$VENV/bin/pip" install -q -r requirements.txt
  touch "$deps"
fi
if [ ! -f "$editable" ] || [ ! -x "$VENV/bin/vla-harness" ]; then
  "$VENV/bin/pip" install -q --no-deps -e .
  rm -f "$VENV"/.vla-harness-editable.*
  touch "$editable"
fi
