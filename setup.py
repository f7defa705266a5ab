"""The rooms at the top of the repository install as one package, vla_harness.<room> (pyproject.toml has the rest)."""

from setuptools import find_packages, setup

ROOMS = ("harness", "benchmarks", "policies", "results", "recording", "training", "cli")

setup(
    packages=["vla_harness"] + [f"vla_harness.{p}" for p in find_packages(include=[f"{r}*" for r in ROOMS])],
    package_dir={"vla_harness": "vla_harness", **{f"vla_harness.{room}": room for room in ROOMS}},
)
