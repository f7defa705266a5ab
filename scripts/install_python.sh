#!/usr/bin/env bash
# Virtual environment with every simulator in one place. torch goes first so the local CPU wheel is kept
# (a package asking for plain `torch` later would otherwise pull a CUDA build of several GB).
set -euo pipefail
VENV=${VENV:-.venv}
PY=${PYTHON:-python3}
# the stamp names requirements.txt's hash: a checkout whose requirements changed (e.g. ruff added) installs them.
stamp="$VENV/.vla-harness-deps.$(sha256sum requirements.txt | cut -c1-16)"
if [ ! -x "$VENV/bin/python" ]; then "$PY" -m venv "$VENV"; fi
if [ ! -f "$stamp" ]; then
  "$VENV/bin/pip" install -q --upgrade pip
  "$VENV/bin/pip" install -q torch==2.13.0
  "$VENV/bin/pip" install -q -r requirements.txt
  touch "$stamp"
fi
"$VENV/bin/pip" install -q --no-deps -e .
