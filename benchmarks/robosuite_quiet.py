"""Third-party import noise that says nothing to the user, kept off every eval.

robosuite 1.4 warns three lines on every import unless the user made a private macro file
(`robosuite/macros_private.py`, an optional copy of its defaults). When none exists we register an empty one, which
changes no setting and keeps those lines off every eval. A real macros_private.py is used as before."""

from __future__ import annotations

import importlib.util
import sys
import types
from importlib import metadata
from pathlib import Path

NAME = "robosuite.macros_private"


def quiet_robosuite_import() -> None:
    if NAME in sys.modules or "robosuite" in sys.modules:
        return
    spec = importlib.util.find_spec("robosuite")  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        return
    if any((Path(d) / "macros_private.py").exists() for d in spec.submodule_search_locations):
        return
    sys.modules[NAME] = types.ModuleType(NAME, "empty stand-in: robosuite's defaults (robosuite/macros.py) apply")


def quiet_gym_notice() -> None:
    """gym 0.26 prints a four-line "Gym has been unmaintained" banner on import (LIBERO-Plus's env module imports it).
    The user never chose gym and cannot act on it: drop that version's banner from gym_notices before gym reads it.
    Nothing else is hidden: gym's warnings module and every other notice stay as they are."""
    if "gym" in sys.modules or importlib.util.find_spec("gym_notices") is None:
        return
    try:
        import gym_notices.notices as gym_notices

        gym_notices.notices.pop(metadata.version("gym"), None)
    except (ImportError, metadata.PackageNotFoundError, AttributeError):
        return
