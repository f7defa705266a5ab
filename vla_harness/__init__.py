"""vla-harness: evaluate vision-language-action policies on LIBERO, LIBERO-Plus and SimplerEnv.

Everything imports under this one name, so a training repository with its own `policies/` or `results/` never
shadows ours: vla_harness.harness (the core), .benchmarks, .policies, .results, .recording, .training, .cli.
"""

from pathlib import Path as _Path

# A source checkout keeps the rooms as folders beside this one (the design card's layout); an installed wheel has
# them inside this package (setup.py maps them). Either way they import as vla_harness.<room>.
if not (_Path(__file__).resolve().parent / "harness").is_dir():
    __path__.append(str(_Path(__file__).resolve().parent.parent))

__version__ = "0.1.0"
