"""The rooms at the top of the repository install as one package, vla_harness.<room> (pyproject.toml has the rest).

Folders without Python install too, as package data: the viewer's assets (results/view/assets) and the small VLA-JEPA
checkpoints (checkpoints/, found beside the rooms by policies/vla_jepa/checkpoint.py).
"""

from setuptools import find_namespace_packages, setup

ROOMS = ("harness", "benchmarks", "policies", "results", "recording", "training", "cli", "checkpoints")
FOUND = find_namespace_packages(include=[f"{r}*" for r in ROOMS], exclude=["*__pycache__*"])

setup(
    packages=["vla_harness"] + [f"vla_harness.{p}" for p in FOUND],
    package_dir={"vla_harness": "vla_harness", **{f"vla_harness.{room}": room for room in ROOMS}},
)
