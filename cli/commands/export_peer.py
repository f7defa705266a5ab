"""`vla-harness export RUN_DIR --to lerobot|vla-eval`: one run as lerobot's eval_info.json or vla-eval's aggregate JSON
(results/peer_formats.py cites the code each format follows)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from vla_harness.harness.config import ConfigError

DEFAULT_NAME = {"lerobot": "eval_info.json", "vla-eval": "{bench}_aggregate.json"}  # what each peer names its file


def export_to(args: argparse.Namespace) -> int:
    from vla_harness.results.load import load_run
    from vla_harness.results.peer_formats import lerobot_eval_info, vla_eval_aggregate

    if len(args.run_dirs) != 1:
        raise ConfigError(f"--to {args.to} exports one run; got {len(args.run_dirs)} run directories")
    if args.format is not None:
        raise ConfigError("--format is for the flat table (parquet, csv); --to writes the peer's JSON")
    run = load_run(args.run_dirs[0])
    body, note = (lerobot_eval_info if args.to == "lerobot" else vla_eval_aggregate)(run)
    path = Path(args.out) if args.out else run.path / DEFAULT_NAME[args.to].format(bench=run.bench)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(body, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"wrote {path} ({args.to}): {note}")
    return 0
