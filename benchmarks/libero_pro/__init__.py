"""LIBERO-PRO (arXiv 2510.03827): the five perturbation suites of the four LIBERO suites, on LIBERO's env and protocol.
See docs/libero_pro.md."""

import vla_harness.benchmarks.libero  # noqa: F401  (sets MUJOCO_GL before MuJoCo is imported)
