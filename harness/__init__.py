"""vla-harness core: types, protocols, registry, episode loop, run store, runners, CLI."""

__version__ = "0.1.0"
SCHEMA_VERSION = 1
