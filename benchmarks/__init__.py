"""Benchmark registry: one line per benchmark (name -> "module:factory")."""

from vla_harness.benchmarks.robosuite_quiet import quiet_gym_notice, quiet_robosuite_import
from vla_harness.harness.registry import Registry

quiet_robosuite_import()
quiet_gym_notice()

BENCHMARKS: Registry = Registry("benchmark")
BENCHMARKS.add("fake", "vla_harness.benchmarks.fake.bench:FakeBenchmark", "pure-numpy reaching task for fast tests")
for _suite in ("libero_spatial", "libero_object", "libero_goal", "libero_10", "libero_90"):
    BENCHMARKS.add(_suite, f"vla_harness.benchmarks.libero.suites:{_suite}", f"LIBERO {_suite} (published protocol)")
BENCHMARKS.add("simpler_bridge", "vla_harness.benchmarks.simpler.bench:simpler_bridge",
               "SimplerEnv WidowX Bridge visual matching via ManiSkill3 (CPU, lavapipe); -B stack=official: the official stack")
BENCHMARKS.add("simpler_google", "vla_harness.benchmarks.simpler.official.bench:SimplerGoogleBenchmark",
               "SimplerEnv Google robot via the official stack (own Python environment)")
BENCHMARKS.add("libero_plus", "vla_harness.benchmarks.libero_plus.bench:LiberoPlusBenchmark",
               "LIBERO-Plus: the 10,030 official perturbation variants, 7 dimensions")
BENCHMARKS.add("libero_pro", "vla_harness.benchmarks.libero_pro.bench:LiberoProBenchmark",
               "LIBERO-PRO: 5 perturbations (object, position, semantic, task, environment) x 4 suites, paired with base")
BENCHMARKS.add("libero_para", "vla_harness.benchmarks.libero_para.bench:LiberoParaBenchmark",
               "LIBERO-Para: 4,092 paraphrases of LIBERO-Goal instructions (object/action axes), PRIDE")
