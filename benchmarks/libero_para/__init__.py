"""LIBERO-Para (arXiv 2603.28301): paraphrased LIBERO-Goal instructions along object and action axes, with PRIDE.
See docs/libero_para.md."""

import vla_harness.benchmarks.libero  # noqa: F401  (sets MUJOCO_GL before MuJoCo is imported)
