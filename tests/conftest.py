import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MUJOCO_GL", "egl")
os.environ.setdefault("PYOPENGL_PLATFORM", "egl")
# The tests never see the user's asset cache (`vla-harness assets fetch`): an empty one of their own.
_ASSETS = tempfile.mkdtemp(prefix="vla-harness-test-assets-")
atexit.register(shutil.rmtree, _ASSETS, True)
os.environ["VLA_HARNESS_ASSETS"] = os.path.join(_ASSETS, "cache")
pytest_plugins = ["tests.official_stack"]  # the session-wide official SimplerEnv stack (fixture `official_stack`)
