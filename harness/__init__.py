"""vla-harness core: types, protocols, registry, run plan, episode loop, run store, runners."""

__version__ = "0.1.0"
SCHEMA_VERSION = 2  # of the run directory: manifest.json and episodes.jsonl (harness/schema.py, docs/schema.md)
