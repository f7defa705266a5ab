"""Seeds derive from the episode key, so results do not depend on worker count or order."""

import hashlib


def episode_seed(run_seed: int, key: str) -> int:
    digest = hashlib.sha256(f"{run_seed}:{key}".encode()).digest()
    return int.from_bytes(digest[:4], "little") & 0x7FFFFFFF


def with_seed(spec, run_seed: int):
    """Return the spec with its seed derived from its key."""
    import dataclasses

    return dataclasses.replace(spec, seed=episode_seed(run_seed, spec.key))
