"""vla-harness: evaluate vision-language-action policies on LIBERO, LIBERO-Plus and SimplerEnv.

Everything imports under this one name, so a training repository with its own `policies/` or `results/` never
shadows ours: vla_harness.harness (the core), .benchmarks, .policies, .results, .recording, .training, .cli.
The public Python API (docs/python_api.md) is here, loaded on first use so `import vla_harness` stays cheap:
`vla_harness.Evaluator`, `vla_harness.evaluate`, their `EvalResult`, and the types a policy object implements.
"""

from importlib import import_module as _import_module
from pathlib import Path as _Path

# A source checkout keeps the rooms as folders beside this one (the design card's layout); an installed wheel has
# them inside this package (setup.py maps them). Either way they import as vla_harness.<room>.
if not (_Path(__file__).resolve().parent / "harness").is_dir():
    __path__.append(str(_Path(__file__).resolve().parent.parent))

__version__ = "0.1.0"

_API = {
    "Evaluator": "vla_harness.api", "evaluate": "vla_harness.api",
    "EvalResult": "vla_harness.eval_result", "TaskResult": "vla_harness.eval_result", "Rate": "vla_harness.eval_result",
    "Policy": "vla_harness.harness.protocols", "PolicySpec": "vla_harness.harness.types",
    "Observation": "vla_harness.harness.types", "TaskInfo": "vla_harness.harness.types",
}
__all__ = sorted(_API)


def __getattr__(name: str):
    if name in _API:
        return getattr(_import_module(_API[name]), name)
    raise AttributeError(f"module 'vla_harness' has no attribute {name!r}")
